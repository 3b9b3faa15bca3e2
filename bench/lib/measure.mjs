/**
 * Timing: wall time of each method's whole command as a user waits for it.
 * One warm-up run of each method first (caches warm; the env it makes is
 * checked to work), then `runs` rounds, round-robin, the order rotated each
 * round so no method always follows the same one. Targets are removed, and
 * the removal flushed, between runs, outside the timing.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { sync } from './processes.mjs';

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
  const results = methods.map(method => ({ id: method.id, label: method.label, timesMs: [], elapsedMs: [], problem: method.unavailable ?? null }));
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
  timeOnce(method, target, env) {
    method.prepare?.();
    const { command, args } = method.command(target);
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { env, encoding: 'utf-8', timeout: 600000, maxBuffer: 64 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.error || result.status !== 0) {
      const why = result.error?.message ?? `exit ${result.status ?? result.signal}: ${(result.stderr || '').trim().split('\n').pop()}`;
      return { problem: why };
    }
    if (!method.reportsElapsed) {
      return { ms };
    }
    const line = result.stdout.split('\n').find(text => text.includes('"type":"result"'));
    const elapsedMs = line ? JSON.parse(line).data?.elapsedMs : undefined;
    return { ms, elapsedMs: typeof elapsedMs === 'number' ? elapsedMs : undefined };
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
