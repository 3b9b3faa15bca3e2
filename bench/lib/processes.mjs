/** Running the tools the benchmark builds with, and flushing the disk. */
import { spawnSync } from 'node:child_process';

/**
 * Run `command args` to the end; returns its stdout. Throws one line naming
 * `what`, the exit status and the last line of stderr when it fails.
 */
export function run(command, args, { what = command, cwd, env, timeoutMs = 1800000 } = {}) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf-8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
  if (result.error) {
    throw new Error(`${what}: ${result.error.message}`);
  }
  if (result.status !== 0) {
    const status = result.status === null ? `signal ${result.signal}` : `exit ${result.status}`;
    const last = (result.stderr || '').trim().split('\n').pop();
    throw new Error(`${what} failed (${status})${last ? `: ${last}` : ''}`);
  }
  return result.stdout;
}

/**
 * Commit what was written or removed to disk, so the next timing does not
 * pay for it: the file system holding `dir` only (`sync -f`), else all.
 */
export function sync(dir) {
  spawnSync('sync', dir ? ['-f', dir] : [], { stdio: 'ignore' });
}
