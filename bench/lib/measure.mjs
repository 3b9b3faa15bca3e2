/**
 * Timing: wall time of each method's whole command as a user waits for it.
 * One warm-up run of each method first (caches warm; the env it makes is
 * checked to work), then `runs` rounds, round-robin, the order rotated each
 * round so no method always follows the same one. Targets are removed, and
 * the removal flushed, between runs, outside the timing.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sync } from './processes.mjs';

const RUSAGE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rusage.py');

/**
 * @typedef {object} Method
 * @property {string} id
 * @property {string} label
 * @property {boolean} makesEnv
 * @property {boolean} [reportsElapsed] its --json result event carries elapsedMs
 * @property {string | null} [unavailable] why it cannot be timed
 * @property {() => void} [prepare] run before each of its runs, outside the timing
 * @property {(target: string) => { command: string, args: string[] }} command
 */

/** Time `methods` on `base`; returns one result per method. */
export function measureBase({ methods, runs, targetsDir, base, env, log }) {
  mkdirSync(targetsDir, { recursive: true });
  const results = methods.map(method => ({ id: method.id, label: method.label, timesMs: [], cpuMs: [], elapsedMs: [], problem: method.unavailable ?? null }));
  const live = methods.map((method, i) => ({ method, result: results[i] })).filter(({ result }) => !result.problem);
  for (const { method, result } of live) {
    const target = path.join(targetsDir, `${method.id}-warmup`);
    const outcome = Private.timeOnce(method, target, env);
    if (outcome.problem) {
      result.problem = `warm-up: ${outcome.problem}`;
    } else if (method.makesEnv) {
      result.check = Private.checkEnv(target, base, env);
    }
    Private.removeTarget(target, targetsDir);
  }
  const timed = live.filter(({ result }) => !result.problem);
  for (let round = 0; round < runs; round++) {
    const order = timed.map((_, i) => timed[(i + round) % timed.length]);
    for (const { method, result } of order) {
      if (result.problem) {
        continue;
      }
      const target = path.join(targetsDir, `${method.id}-${round}`);
      const outcome = Private.timeOnce(method, target, env);
      Private.removeTarget(target, targetsDir);
      if (outcome.problem) {
        result.problem = `run ${round + 1}: ${outcome.problem}`;
        continue;
      }
      result.timesMs.push(outcome.ms);
      result.cpuMs.push(outcome.cpuMs);
      if (outcome.elapsedMs !== undefined) {
        result.elapsedMs.push(outcome.elapsedMs);
      }
    }
    log(`  round ${round + 1}/${runs}: ${timed.map(({ method, result }) => `${method.id} ${result.timesMs.at(-1)?.toFixed(1) ?? '-'}`).join(', ')}`);
  }
  for (const result of results) {
    result.medianMs = median(result.timesMs);
    result.minMs = result.timesMs.length ? Math.min(...result.timesMs) : null;
    result.medianElapsedMs = median(result.elapsedMs);
    result.medianCpuMs = median(result.cpuMs);
    result.minCpuMs = result.cpuMs.length ? Math.min(...result.cpuMs) : null;
  }
  return results;
}

/** The median of `values`, null for none. */
export function median(values) {
  if (!values.length) {
    return null;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Helpers (the module's trailing `Private` namespace). */
const Private = {
  /**
   * One run, timed by bench/lib/rusage.py: wall time and the CPU time
   * (user + sys, the command's and its children's) it used; on a loaded
   * machine the CPU time spreads far less.
   */
  timeOnce(method, target, env) {
    method.prepare?.();
    const { command, args } = method.command(target);
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'mlc-bench-run-'));
    try {
      const stdout = path.join(outDir, 'stdout');
      const stderr = path.join(outDir, 'stderr');
      const timer = spawnSync('python3', [RUSAGE], {
        input: JSON.stringify({ runs: 1, warmup: false, cases: [{ argv: [command, ...args], env, stdout, stderr }] }),
        encoding: 'utf-8',
        timeout: 600000
      });
      if (timer.error || timer.status !== 0) {
        return { problem: `bench/lib/rusage.py: ${timer.error?.message ?? (timer.stderr || '').trim().split('\n').pop()}` };
      }
      const [{ wallMs: ms, cpuMs, status }] = JSON.parse(timer.stdout).times[0];
      if (status !== 0) {
        return { problem: `exit ${status}: ${readFileSync(stderr, 'utf-8').trim().split('\n').pop()}` };
      }
      if (!method.reportsElapsed) {
        return { ms, cpuMs };
      }
      const line = readFileSync(stdout, 'utf-8')
        .split('\n')
        .find(text => text.includes('"type":"result"'));
      const elapsedMs = line ? JSON.parse(line).data?.elapsedMs : undefined;
      return { ms, cpuMs, elapsedMs: typeof elapsedMs === 'number' ? elapsedMs : undefined };
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  },

  /** Whether the env's python3 takes the env as sys.prefix and imports a package of the base. */
  checkEnv(target, base, env) {
    const code = `import sys, ${base.probeModule}; print(sys.prefix)`;
    const result = spawnSync(path.join(target, 'bin', 'python3'), ['-c', code], { env, encoding: 'utf-8', timeout: 60000 });
    if (result.status === 0 && result.stdout.trim() === target) {
      return 'works';
    }
    return `broken: ${(result.stderr || result.stdout || '').trim().split('\n').pop()}`;
  },

  /** Remove a method's target: only a path directly in targetsDir, never through a link. */
  removeTarget(target, targetsDir) {
    if (path.dirname(target) !== targetsDir) {
      throw new Error(`refusing to remove ${target}: not in ${targetsDir}`);
    }
    const stat = lstatSync(target, { throwIfNoEntry: false });
    if (stat) {
      // fs.rmSync unlinks symlinks and never descends through them.
      rmSync(target, { recursive: true, force: true });
      sync(targetsDir);
    }
  }
};
