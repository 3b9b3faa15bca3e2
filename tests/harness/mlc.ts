/** Run the real bundled `mlc`, as root or as the unprivileged test user. */
import { spawnSync } from 'child_process';
import { MLC_BUNDLE } from './paths';
import { testUser } from './user';

export interface IRunResult {
  /** The exit status; -1 when the process was ended by a signal (see `signal`). */
  code: number;
  /** The signal that ended the process (e.g. SIGSEGV, SIGABRT, SIGKILL), else null. */
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface IRunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as the unprivileged test user (its HOME, uid and gid). */
  unprivileged?: boolean;
  input?: string;
  timeoutMs?: number;
}

/** `mlc ARGS...` with `node` of this process. */
export function runMlc(args: string[], options: IRunOptions = {}): IRunResult {
  return runCommand(process.execPath, [MLC_BUNDLE, ...args], options);
}

/** Any command, optionally as the test user (spawn's uid/gid, no shell involved). */
export function runCommand(
  file: string,
  args: string[],
  options: IRunOptions = {}
): IRunResult {
  const env = { ...process.env, ...(options.env ?? {}) };
  let ids: { uid?: number; gid?: number } = {};
  if (options.unprivileged) {
    const user = testUser();
    ids = { uid: user.uid, gid: user.gid };
    env.HOME = options.env?.HOME ?? user.home;
    env.USER = user.name;
    env.LOGNAME = user.name;
  }
  const result = spawnSync(file, args, {
    env,
    cwd: options.cwd,
    input: options.input,
    timeout: options.timeoutMs ?? 120000,
    encoding: 'utf-8',
    ...ids
  });
  if (result.error) {
    // A timeout (ETIMEDOUT) or a failed spawn: say which, with all that was written.
    throw new Error(
      `${file} ${args.join(' ').slice(0, 200)}: ${result.error.message} (signal ${result.signal ?? 'none'})\nstdout:\n${result.stdout ?? ''}\nstderr:\n${result.stderr ?? ''}`
    );
  }
  return {
    code: result.status ?? -1,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr
  };
}
