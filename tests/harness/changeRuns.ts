/**
 * Running `mlc` as the test user while a test acts on the run: without
 * blocking jest's event loop (servers the test started keep answering), a
 * hook when an env change has marked itself under way, and a bounded wait
 * until the installer's processes are gone. Shared by the env-life hostile
 * tests (pip and conda).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import { MLC_BUNDLE } from './paths';
import { processesMentioning } from './processes';
import type { IUserPlaces } from './unprivilegedBase';
import { testUser } from './user';

/** `mlc ARGS` (as given: put `--json` where the verb wants it) as the test user. */
export function mlcAsUserAsync(
  args: string[],
  places: IUserPlaces,
  extra: NodeJS.ProcessEnv = {},
  started?: (child: ChildProcess) => void
): Promise<{ code: number; stdout: string; stderr: string }> {
  const user = testUser();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MLC_BUNDLE, ...args], {
      env: { ...process.env, ...places.env, ...extra, USER: user.name },
      uid: user.uid,
      gid: user.gid,
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', chunk => (stdout += chunk));
    child.stderr?.on('data', chunk => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120000);
    child.on('error', reject);
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    started?.(child);
  });
}

/**
 * Run `action` `delayMs` after the change in `envDir` has marked itself as
 * under way (its installer is then being started). Bounded: a change that
 * never marks itself fails the test, not the run.
 */
export function whenPending(
  envDir: string,
  action: () => void,
  delayMs: number
): void {
  let polls = 0;
  const poll = setInterval(() => {
    if (++polls > 1200) {
      clearInterval(poll);
    } else if (fs.existsSync(`${envDir}/.mlc-revisions/pending.json`)) {
      clearInterval(poll);
      setTimeout(action, delayMs);
    }
  }, 50);
}

/** Wait (bounded) until no process mentions `needle`. */
export async function untilGone(needle: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (processesMentioning(needle).length === 0) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(`processes mentioning ${needle} still run`);
}
