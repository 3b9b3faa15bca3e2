#!/usr/bin/env node
/**
 * Benchmark of `mlc env install --conda` (issue 16), ratios in one run:
 *   1. `mlc env install ENV --conda -c CH -- PKG` of one small noarch package
 *      against the image's conda installer run by hand on the same env
 *      (`micromamba install -p ENV -y -c CH -- PKG`); mlc runs the
 *      installer twice (its dry run protects the image, then the install);
 *   2. the preview `--dry-run`, warm (goal: under 3 s).
 * The installer is the tests' stand-in with micromamba's command line
 * (tests/harness/micromamba_standin.py on py-rattler, build/rattler-venv):
 * the ratio says what mlc adds to an installer's run, not micromamba's speed.
 * Each timed install is undone (removed, untimed) before the next run.
 *
 *   node bench/env-life-conda.mjs [--runs N] [--base PREFIX]
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { medians, timeOne as time } from './lib/timeOne.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = path.join(REPO, 'build', 'bench', 'env-life-conda');
const MLC = path.join(REPO, 'jupyterlab_ml_containers', 'mlc', 'mlc.cjs');
const RATTLER_PYTHON = path.join(
  REPO,
  'build',
  'rattler-venv',
  'bin',
  'python'
);
const HARNESS = path.join(REPO, 'tests', 'harness');

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    base: { type: 'string', default: path.join(REPO, 'build', 'test-prefix') }
  }
});
const runs = Number(values.runs);

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
// A copy of the base with the stand-in as its bin/micromamba.
const base = path.join(WORK, 'image');
execFileSync('cp', ['-a', '--', values.base, base]);
const micromamba = path.join(base, 'bin', 'micromamba');
writeFileSync(
  micromamba,
  `#!/bin/sh\nexec '${RATTLER_PYTHON}' '${path.join(HARNESS, 'micromamba_standin.py')}' "$@"\n`
);
chmodSync(micromamba, 0o755);
const channelDir = path.join(WORK, 'channel');
execFileSync(RATTLER_PYTHON, [
  path.join(HARNESS, 'conda_local_channel.py'),
  channelDir,
  JSON.stringify([{ name: 'mlc-bench-conda', version: '1.0' }])
]);
const channel = `file://${channelDir}`;
const runEnv = {
  ...process.env,
  JUPYTER_DATA_DIR: path.join(WORK, 'data'),
  MAMBA_ROOT_PREFIX: path.join(WORK, 'mamba'),
  MLC_INSTALL_PREFIX: ''
};
const env = path.join(WORK, 'env');
time(
  process.execPath,
  [MLC, 'env', 'create', env, '--base', base, '--no-kernel'],
  runEnv
);
const installArgs = ['-c', channel, '--', 'mlc-bench-conda'];
// Warm the installer's package cache once.
time(micromamba, ['install', '-p', env, '-y', ...installArgs], runEnv);
time(micromamba, ['remove', '-p', env, '-y', '--', 'mlc-bench-conda'], runEnv);

const mlcTimes = [];
const plainTimes = [];
for (let i = 0; i < runs; i++) {
  const order = i % 2 ? ['plain', 'mlc'] : ['mlc', 'plain'];
  for (const which of order) {
    if (which === 'mlc') {
      mlcTimes.push(
        time(
          process.execPath,
          [MLC, 'env', 'install', env, '--conda', ...installArgs],
          runEnv
        )
      );
      time(
        process.execPath,
        [MLC, 'env', 'uninstall', env, '--conda', '--', 'mlc-bench-conda'],
        runEnv
      );
    } else {
      plainTimes.push(
        time(micromamba, ['install', '-p', env, '-y', ...installArgs], runEnv)
      );
      time(
        micromamba,
        ['remove', '-p', env, '-y', '--', 'mlc-bench-conda'],
        runEnv
      );
    }
  }
}
const previews = [];
for (let i = 0; i < runs; i++) {
  previews.push(
    time(
      process.execPath,
      [MLC, 'env', 'install', env, '--conda', '--dry-run', ...installArgs],
      runEnv
    )
  );
}
const ms = value => `${value.toFixed(0)} ms`;
const ratio = (of, against) =>
  `${(of.wall / against.wall).toFixed(2)}x / ${(of.cpu / against.cpu).toFixed(2)}x`;
const plain = medians(plainTimes);
const mlc = medians(mlcTimes);
const preview = medians(previews);
console.log(
  [
    `env-life conda benchmark, ${runs} runs, base ${values.base}, installer: the micromamba stand-in (py-rattler)`,
    'CPU time is user + sys of the command and its children (wait4).',
    '',
    '| measure | median wall / CPU | ratio wall / CPU | goal |',
    '| --- | --- | --- | --- |',
    `| the installer by hand: install one package into the env | ${ms(plain.wall)} / ${ms(plain.cpu)} | 1.00x | |`,
    `| mlc env install --conda of it (dry run + install, revision, log) | ${ms(mlc.wall)} / ${ms(mlc.cpu)} | ${ratio(mlc, plain)} | |`,
    `| mlc env install --conda --dry-run (preview), warm | ${ms(preview.wall)} / ${ms(preview.cpu)} | | < 3000 ms |`
  ].join('\n')
);
