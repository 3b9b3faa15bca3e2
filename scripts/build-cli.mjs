// Bundle the mlc command-line tool into one CommonJS file that needs only Node.
import { build } from 'esbuild';
import { readFileSync } from 'fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url)));

await build({
  entryPoints: ['src/cli/index.ts'],
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  outfile: 'jupyterlab_ml_containers/mlc/mlc.cjs',
  banner: { js: '#!/usr/bin/env node' },
  define: { MLC_VERSION: JSON.stringify(version) },
  // The kernel-spec logos (kernelspecs/) go into the bundle: mlc stays one file.
  loader: { '.png': 'binary', '.svg': 'text', '.sh': 'text' },
  // Minified: Node parses the whole bundle at every start, and mlc starts often.
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning'
});
