/**
 * One command timed alone by bench/lib/rusage.py, for the benchmarks that
 * interleave their own rounds (env-life, env-life-conda).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUSAGE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rusage.py');

/** One run of `file args` under `env`: wall and CPU time (user + sys, by rusage.py's wait4); throws if it fails. */
export function timeOne(file, args, env) {
  const result = spawnSync('python3', [RUSAGE], {
    input: JSON.stringify({ runs: 1, warmup: false, cases: [{ argv: [file, ...args], env }] }),
    encoding: 'utf-8'
  });
  const run = result.status === 0 ? JSON.parse(result.stdout).times[0][0] : null;
  if (!run || run.status !== 0) {
    throw new Error(`${file} ${args.join(' ')} failed: ${result.stderr}`);
  }
  return { wall: run.wallMs, cpu: run.cpuMs };
}

/**
 * Median wall and CPU time of `runs` (each `{ wall, cpu }`). Of an even
 * count it takes the upper middle, as these benchmarks always have.
 */
export function medians(runs) {
  return { wall: Private.upperMedian(runs.map(run => run.wall)), cpu: Private.upperMedian(runs.map(run => run.cpu)) };
}

/** Helpers (the module's trailing `Private` namespace). */
const Private = {
  upperMedian(list) {
    const sorted = [...list].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }
};
