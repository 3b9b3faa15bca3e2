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
 *   node bench/env-life.mjs [--runs N] [--base PREFIX]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = path.join(REPO, 'build', 'bench', 'env-life');
const MLC = path.join(REPO, 'jupyterlab_ml_containers', 'mlc', 'mlc.cjs');
const VENV_PYTHON = path.join(REPO, '.venv', 'bin', 'python');

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    base: { type: 'string', default: path.join(REPO, 'build', 'test-prefix') }
  }
});
const runs = Number(values.runs);
const base = values.base;

function time(file, args, env) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { env, encoding: 'utf-8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} failed: ${result.stderr}${result.stdout}`
    );
  }
  return ms;
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
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
const runEnv = {
  ...process.env,
  PIP_NO_INDEX: '1',
  PIP_FIND_LINKS: wheels,
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
  JUPYTER_DATA_DIR: path.join(WORK, 'data'),
  MLC_INSTALL_PREFIX: ''
};
time(
  process.execPath,
  [MLC, 'env', 'create', env, '--base', base, '--no-kernel'],
  runEnv
);
const envPython = path.join(env, 'bin', `python${python}`);

const mlcTimes = [];
const pipTimes = [];
for (let i = 0; i < runs; i++) {
  // Alternate the order so that neither always runs on a warmer machine.
  const order = i % 2 ? ['pip', 'mlc'] : ['mlc', 'pip'];
  for (const which of order) {
    if (which === 'mlc') {
      mlcTimes.push(
        time(process.execPath, [MLC, 'env', 'install', env, wheel], runEnv)
      );
      time(
        process.execPath,
        [MLC, 'env', 'uninstall', env, 'mlc-bench-pkg'],
        runEnv
      );
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
time(
  process.execPath,
  [MLC, 'env', 'install', env, 'mlc-bench-pkg', '--dry-run'],
  runEnv
);
const previews = [];
for (let i = 0; i < runs; i++) {
  previews.push(
    time(
      process.execPath,
      [MLC, 'env', 'install', env, 'mlc-bench-pkg', '--dry-run'],
      runEnv
    )
  );
}
// Rebase of an env holding 20 user wheels, against a fresh env with the same 20 installed.
const rebaseEnv = path.join(WORK, 'rebase-env');
time(
  process.execPath,
  [MLC, 'env', 'create', rebaseEnv, '--base', base, '--no-kernel'],
  runEnv
);
time(
  process.execPath,
  [MLC, 'env', 'install', rebaseEnv, ...userPackages],
  runEnv
);
const rebases = [];
const freshes = [];
for (let i = 0; i < Math.max(3, Math.floor(runs / 2)); i++) {
  rebases.push(
    time(process.execPath, [MLC, 'env', 'rebase', rebaseEnv], runEnv)
  );
  const fresh = path.join(WORK, `fresh-${i}`);
  const started = process.hrtime.bigint();
  time(
    process.execPath,
    [MLC, 'env', 'create', fresh, '--base', base, '--no-kernel'],
    runEnv
  );
  time(
    path.join(fresh, 'bin', `python${python}`),
    ['-m', 'pip', 'install', '-q', ...userPackages],
    runEnv
  );
  freshes.push(Number(process.hrtime.bigint() - started) / 1e6);
  rmSync(fresh, { recursive: true, force: true });
}
const mlcMedian = median(mlcTimes);
const pipMedian = median(pipTimes);
const lines = [
  `env-life benchmark, ${runs} runs, base ${base} (Python ${python})`,
  '',
  '| measure | median | ratio | goal |',
  '| --- | --- | --- | --- |',
  `| plain pip install of one local wheel into the env | ${pipMedian.toFixed(0)} ms | 1.00x | |`,
  `| mlc env install of the same wheel (revision, log, constraints) | ${mlcMedian.toFixed(0)} ms | ${(mlcMedian / pipMedian).toFixed(2)}x | <= 1.2x |`,
  `| mlc env install --dry-run (preview), warm | ${median(previews).toFixed(0)} ms | | < 3000 ms |`,
  `| fresh env + pip install of 20 user wheels | ${median(freshes).toFixed(0)} ms | 1.00x | |`,
  `| mlc env rebase of an env holding the 20 | ${median(rebases).toFixed(0)} ms | ${(median(rebases) / median(freshes)).toFixed(2)}x | <= 1.5x |`
];
console.log(lines.join('\n'));
