#!/usr/bin/env node
/**
 * The cost of the fingerprint check at worker start (issue 17): an env of
 * N own packages (default 200 dist-info directories, plus 50 conda records
 * of which half are copies of the base's), its worker command from
 * `mlc env worker-command --json`, timed running `-c pass` against the
 * env's Python started alone (`python -s -c pass`), alternating, medians.
 *
 *   node bench/fingerprint.mjs [--runs N] [--packages N]
 */
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MLC = path.join(REPO, 'jupyterlab_ml_containers', 'mlc', 'mlc.cjs');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '21' },
    packages: { type: 'string', default: '200' }
  }
});
const runs = Number(values.runs);
const packages = Number(values.packages);

const python = spawnSync('python3', [
  '-c',
  'import sys; print(sys.executable, "%d.%d" % sys.version_info[:2])'
])
  .stdout.toString()
  .trim()
  .split(' ');
const [pythonExe, minor] = python;
const dir = mkdtempSync(path.join(os.tmpdir(), 'mlc-bench-fp-'));
try {
  const base = path.join(dir, 'base');
  const env = path.join(dir, 'env');
  mkdirSync(path.join(base, 'share/jupyter/kernels/python3'), {
    recursive: true
  });
  writeFileSync(
    path.join(base, 'share/jupyter/kernels/python3/image.json'),
    JSON.stringify({
      name: 'bench',
      tag: 'x',
      buildDate: '2026-01-01T00:00:00Z',
      packages: Array.from({ length: 500 }, (_, i) => ({
        name: `p${i}`,
        version: '1.0',
        source: 'pip'
      }))
    })
  );
  const site = path.join(env, `lib/python${minor}/site-packages`);
  mkdirSync(site, { recursive: true });
  for (let i = 0; i < packages; i++) {
    mkdirSync(path.join(site, `package_${i}-1.${i}.0.dist-info`));
  }
  mkdirSync(path.join(env, 'conda-meta'));
  const copied = [];
  for (let i = 0; i < 50; i++) {
    const name = `lib${i}-2.${i}-h${i}_0.json`;
    writeFileSync(path.join(env, 'conda-meta', name), '{}');
    if (i % 2 === 0) {
      copied.push(name);
    }
  }
  writeFileSync(
    path.join(env, 'conda-meta/.mlc-base-records'),
    copied.join('\n') + '\n'
  );
  mkdirSync(path.join(env, 'bin'));
  symlinkSync(pythonExe, path.join(env, `bin/python${minor}`));
  writeFileSync(
    path.join(env, '.mlc-env.json'),
    JSON.stringify({
      schemaVersion: 1,
      name: 'env',
      prefix: env,
      basePrefix: base,
      baseImage: 'bench:x',
      python: minor,
      createdAt: new Date().toISOString(),
      mode: 'host',
      kernelName: null
    })
  );
  const printed = spawnSync(process.execPath, [
    MLC,
    '--json',
    'env',
    'worker-command',
    env
  ]);
  const line = printed.stdout
    .toString()
    .split('\n')
    .find(text => text.includes('"type":"result"'));
  if (!line) {
    throw new Error(`mlc env worker-command failed: ${printed.stderr}`);
  }
  const argv = JSON.parse(line).data.argv;
  const withCheck = [...argv, '-c', 'pass'];
  const alone = [path.join(env, `bin/python${minor}`), '-s', '-c', 'pass'];
  const time = command => {
    const start = process.hrtime.bigint();
    const ran = spawnSync(command[0], command.slice(1));
    if (ran.status !== 0) {
      throw new Error(`${command[0]} failed: ${ran.stderr}`);
    }
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const a = [];
  const b = [];
  time(withCheck);
  time(alone);
  for (let i = 0; i < runs; i++) {
    a.push(time(withCheck));
    b.push(time(alone));
  }
  const median = list =>
    [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)];
  const [checked, plain] = [median(a), median(b)];
  console.log(
    `env of ${packages} dist-info + 25 own conda records, ${runs} alternating runs, medians:`
  );
  console.log(`  worker command, -c pass: ${checked.toFixed(1)} ms`);
  console.log(`  python -s -c pass alone: ${plain.toFixed(1)} ms`);
  console.log(
    `  fingerprint check cost:  ${(checked - plain).toFixed(1)} ms (ratio ${(checked / plain).toFixed(2)}x)`
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
