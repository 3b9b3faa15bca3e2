// Bundle the mlc command-line tool into one CommonJS file that needs only Node.
import { spawnSync } from 'child_process';
import { build } from 'esbuild';
import { readFileSync } from 'fs';
import { createRequire } from 'module';
import { promisify } from 'util';

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url))
);

/**
 * Node built-ins that cost start-up time (child_process pulls in net and
 * stream; crypto its own bindings; https tls and crypto, about 19 ms of CPU
 * on Node 24 here, which `mlc enter` paid for the registry client it never
 * calls) but only a few commands use: loaded on first use instead of when
 * the module importing them is set up. Each import of them becomes a module
 * of getters that require the real one when a name is first read.
 */
const LAZY_BUILTINS = ['child_process', 'crypto', 'http', 'https', 'net'];

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

/** What every build of mlc's code shares. */
const COMMON = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  // The kernel-spec logos (kernelspecs/) go into the bundle: mlc stays one file.
  loader: { '.png': 'binary', '.svg': 'text', '.sh': 'text' },
  plugins: [lazyBuiltins],
  logLevel: 'warning'
};

/**
 * Which command group registers each top-level command name: every group
 * of src/cli/commandGroups.ts is loaded once, here, on a program of its own,
 * and its commands (and aliases) are listed. mlc then loads only the group
 * of the command it runs; a verb added to a group later is in the record
 * by the next build.
 */
async function commandGroupRecord() {
  const probe = await build({
    ...COMMON,
    stdin: {
      contents: `
        import { Command } from 'commander';
        import { COMMAND_GROUPS } from './src/cli/commandGroups';
        import { makeContext } from './src/cli/context';
        import { Reporter } from './src/cli/output';
        (async () => {
          const record = {};
          for (const [group, load] of Object.entries(COMMAND_GROUPS)) {
            const program = new Command('mlc').option('--json');
            (await load())(program, makeContext(new Reporter({ kind: 'human' })));
            for (const command of program.commands) {
              for (const name of [command.name(), ...command.aliases()]) {
                if (Object.hasOwn(record, name)) {
                  throw new Error(name + ' is registered by ' + record[name] + ' and ' + group);
                }
                record[name] = group;
              }
            }
          }
          process.stdout.write(JSON.stringify(record));
        })().catch(error => {
          process.stderr.write(String(error) + '\\n');
          process.exitCode = 1;
        });`,
      resolveDir: '.',
      loader: 'ts',
      sourcefile: 'command-group-record.ts'
    },
    define: { MLC_VERSION: JSON.stringify(version) },
    write: false
  });
  const result = spawnSync(process.execPath, ['-'], {
    input: probe.outputFiles[0].text,
    encoding: 'utf-8',
    cwd: '/'
  });
  if (result.status !== 0) {
    throw new Error(`listing the command groups failed: ${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

await build({
  ...COMMON,
  entryPoints: ['src/cli/index.ts'],
  outfile: 'jupyterlab_ml_containers/mlc/mlc.cjs',
  banner: { js: '#!/usr/bin/env node' },
  define: {
    MLC_VERSION: JSON.stringify(version),
    MLC_COMMAND_GROUPS: JSON.stringify(await commandGroupRecord())
  },
  // Minified: Node parses the whole bundle at every start, and mlc starts often.
  minify: true,
  legalComments: 'linked'
});
