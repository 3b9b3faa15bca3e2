/**
 * Find and end the processes a test left behind, narrowly: only those whose
 * command line names a directory the test itself made (a kernel's command
 * line holds its connection file, inside the test's JUPYTER_RUNTIME_DIR).
 */
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';

/** Pids (other than this process) whose command line contains `needle`. */
export function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) {
      continue;
    }
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf-8');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (cmdline.split('\0').some(arg => arg.includes(needle))) {
      found.push(pid);
    }
  }
  return found;
}

/**
 * SIGKILL every process whose command line names `dir` (a unique scratch
 * directory), so a test never leaves a kernel running. Returns their pids.
 */
export function reapProcessesMentioning(dir: string): number[] {
  if (!/\/mlc-[^/]+/.test(dir)) {
    // Only makeScratch() directories (…/mlc-LABEL-XXXXXX/…): never a broad path such as `/`.
    throw new Error(
      `refusing to reap processes by '${dir}': not a test scratch directory`
    );
  }
  const pids = processesMentioning(dir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids;
}

/**
 * Stop a child the harness started: SIGTERM (servers then shut their own
 * children down), SIGKILL if it lingers past `graceMs`; resolves once the
 * process is gone.
 */
export async function stopChild(
  child: ChildProcess,
  graceMs: number
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve())
  );
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
