// Bundle the mlc command-line tool into one CommonJS file that needs only Node.
import { build } from 'esbuild';
import { readFileSync } from 'fs';
import { createRequire } from 'module';
import { promisify } from 'util';

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url))
);

/**
 * Node built-ins that cost start-up time (child_process pulls in net and
 * stream; crypto its own bindings) but only a few commands use: loaded on
 * first use instead of at every start. Each import of them becomes a module
 * of getters that require the real one when a name is first read.
 */
const LAZY_BUILTINS = ['child_process', 'crypto'];

const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
    build.onResolve({ filter }, args =>
      // The stand-in's own require is the real built-in.
      args.namespace === 'lazy-builtin'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' }
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, args => ({
      contents: lazyModule(args.path),
      loader: 'js'
    }));
  }
};

/**
 * A stand-in for built-in `name`: its functions (lower-case names) are
 * wrappers that load it when called, so that code like
 * `promisify(execFile)` at module level loads nothing (their custom
 * promisified forms are forwarded too); everything else is a getter.
 */
function lazyModule(name) {
  const real = createRequire(import.meta.url)(`node:${name}`);
  const entries = Object.keys(real)
    .filter(key => /^[A-Za-z_$][\w$]*$/.test(key))
    .map(key => {
      const value = real[key];
      if (typeof value !== 'function' || /^[A-Z]/.test(key)) {
        return `Object.defineProperty(exports, '${key}', { enumerable: true, get: () => load().${key} });`;
      }
      const custom = value[promisify.custom]
        ? `Object.defineProperty(wrap, custom, { value: (...args) => load().${key}[custom](...args) });`
        : '';
      return `{ const wrap = function (...args) { return load().${key}.apply(this, args); }; ${custom} exports.${key} = wrap; }`;
    });
  return [
    'let real;',
    `const load = () => real || (real = require('node:${name}'));`,
    "const custom = Symbol.for('nodejs.util.promisify.custom');",
    ...entries
  ].join('\n');
}

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
  plugins: [lazyBuiltins],
  // Minified: Node parses the whole bundle at every start, and mlc starts often.
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning'
});
