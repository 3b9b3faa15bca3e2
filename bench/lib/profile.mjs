/**
 * `--profile`: one extra `mlc env create` on the 1x base under `strace -c -f`
 * (where the system calls go) and one under `node --cpu-prof` (where the
 * JavaScript time goes), summarised as text.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

/** The two summaries, as text for the report. */
export function profileMlc({ bundle, node, base, workDir, env, log }) {
  const dir = path.join(workDir, 'profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const create = target => [bundle, 'env', 'create', target, '--base', base.dir, '--no-kernel', '--json'];
  const out = ['== profile: mlc env create on the 1x base'];

  log('profiling with strace -c -f...');
  const straceFile = path.join(dir, 'strace.txt');
  const traced = spawnSync('strace', ['-c', '-f', '-o', straceFile, node, ...create(path.join(dir, 'env-strace'))], { env, encoding: 'utf-8' });
  if (traced.error || traced.status !== 0) {
    out.push(`strace: not run (${traced.error?.message ?? `exit ${traced.status}`}; apt-get install strace)`);
  } else {
    const table = readFileSync(straceFile, 'utf-8').trim().split('\n');
    out.push('system calls (strace -c -f, top 12 by time):', ...table.slice(0, 14), table.at(-1));
  }

  log('profiling with node --cpu-prof...');
  const profDir = path.join(dir, 'cpu');
  const profiled = spawnSync(node, ['--cpu-prof', '--cpu-prof-dir', profDir, ...create(path.join(dir, 'env-cpu'))], { env, encoding: 'utf-8' });
  if (profiled.status !== 0) {
    out.push(`cpu profile: not run (exit ${profiled.status})`);
  } else {
    const file = readdirSync(profDir).find(name => name.endsWith('.cpuprofile'));
    out.push('JavaScript self time (node --cpu-prof, top 15):', ...Private.selfTimes(JSON.parse(readFileSync(path.join(profDir, file), 'utf-8'))));
  }
  for (const env of ['env-strace', 'env-cpu']) {
    rmSync(path.join(dir, env), { recursive: true, force: true });
  }
  return out.join('\n') + '\n';
}

/** Helpers (the module's trailing `Private` namespace). */
const Private = {
  /** Self time per function (name, file:line), summed over the profile's samples. */
  selfTimes(profile) {
    const byId = new Map(profile.nodes.map(node => [node.id, node]));
    const totals = new Map();
    const deltas = profile.timeDeltas;
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id).callFrame;
      const key = `${frame.functionName || '(anonymous)'} ${path.basename(frame.url || '')}:${frame.lineNumber + 1}`;
      totals.set(key, (totals.get(key) ?? 0) + (deltas[i] ?? 0) / 1000);
    });
    const all = [...totals.values()].reduce((a, b) => a + b, 0);
    return [
      `  total sampled: ${all.toFixed(1)} ms`,
      ...[...totals.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15)
        .map(([key, ms]) => `  ${ms.toFixed(1).padStart(7)} ms  ${key}`)
    ];
  }
};
