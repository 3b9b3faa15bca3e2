// Bundle the mlc command-line tool into one CommonJS file that needs only Node.
import { spawnSync } from 'child_process';
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'fs';
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

/**
 * Node built-ins that nearly every module imports (`import * as fs`): each
 * importer would get its own copy of the module's properties (esbuild's
 * interop copies all of them, 104 for fs, at each importer's set-up: 95
 * importers); through one stand-in that re-exports the built-in, the copy
 * is made once.
 */
const SHARED_BUILTINS = ['fs', 'path', 'os'];

const sharedBuiltins = {
  name: 'shared-builtins',
  setup(build) {
    const filter = new RegExp(`^(node:)?(${SHARED_BUILTINS.join('|')})$`);
    build.onResolve({ filter }, args =>
      // The stand-in's own import is the real built-in.
      args.namespace === 'shared-builtin'
        ? { path: args.path, external: true }
        : {
            path: args.path.replace(/^node:/, ''),
            namespace: 'shared-builtin'
          }
    );
    build.onLoad({ filter: /.*/, namespace: 'shared-builtin' }, args => ({
      contents: `export * from 'node:${args.path}';`,
      loader: 'js'
    }));
  }
};

/**
 * Packages set up on first use, like the lazy built-ins: zod's modules
 * (about 90 of them) cost about 5 ms of CPU to set up, and `env list` and
 * `env create` load the shared core's schema modules without building a
 * schema (src/core/firstUse.ts). Each import of one becomes a stand-in of
 * wrappers that require the bundled package when first called; only the
 * names mlc's code uses are bundled (`LAZY_PACKAGES[name]()`: a name
 * missing there is an esbuild warning, "will always be undefined").
 */
const LAZY_PACKAGES = {
  'zod/mini': () => usedNames(/\bz\.([a-z_][\w$]*)\b/g, ['config']),
  'zod/v4/locales/en.js': () => ['default']
};

/** The names `pattern` finds in src/ (the namespace members used), and `more`. */
function usedNames(pattern, more) {
  const names = new Set(more);
  const walk = dir => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        walk(file);
      } else if (/\.tsx?$/.test(entry.name)) {
        for (const match of readFileSync(file, 'utf-8').matchAll(pattern)) {
          names.add(match[1]);
        }
      }
    }
  };
  walk('src');
  return [...names].filter(name => name !== 'infer').sort();
}

const lazyPackages = {
  name: 'lazy-packages',
  setup(build) {
    const names = Object.keys(LAZY_PACKAGES);
    const filter = new RegExp(
      `^(${names.map(name => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`
    );
    build.onResolve({ filter }, args =>
      args.pluginData?.real
        ? undefined // esbuild's own resolution, asked for below
        : {
            path: args.path,
            // The stand-in's own require is the used part.
            namespace:
              args.namespace === 'lazy-package'
                ? 'lazy-package-used'
                : 'lazy-package'
          }
    );
    // The stand-in: wrappers that load the used part when first called.
    build.onLoad({ filter: /.*/, namespace: 'lazy-package' }, args => ({
      contents: [
        'let real;',
        `const load = () => real || (real = require(${JSON.stringify(args.path)}));`,
        ...LAZY_PACKAGES[args.path]().map(
          name =>
            `const lazy_${name} = (...args) => load()[${JSON.stringify(name)}](...args);\nexport { lazy_${name} as ${name} };`
        )
      ].join('\n'),
      loader: 'js'
    }));
    // The used part: the names re-exported from the package's ES module.
    build.onLoad(
      { filter: /.*/, namespace: 'lazy-package-used' },
      async args => {
        const real = await build.resolve(args.path, {
          kind: 'import-statement',
          resolveDir: process.cwd(),
          pluginData: { real: true }
        });
        const names = LAZY_PACKAGES[args.path]();
        return {
          contents: `export { ${names.join(', ')} } from ${JSON.stringify(real.path)};`,
          loader: 'js',
          resolveDir: process.cwd()
        };
      }
    );
  }
};

/** What every build of mlc's code shares. */
const COMMON = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  // The kernel-spec logos (kernelspecs/) go into the bundle: mlc stays one file.
  loader: { '.png': 'binary', '.svg': 'text', '.sh': 'text' },
  plugins: [lazyBuiltins, sharedBuiltins, lazyPackages],
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

const bundle = await build({
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
// A warning is an error: the lazy packages' stand-in turns a name it lacks
// into a silent `undefined` at run time, which esbuild reports only as one.
if (bundle.warnings.length > 0) {
  process.stderr.write('build-cli: esbuild warnings are errors here\n');
  process.exit(1);
}
