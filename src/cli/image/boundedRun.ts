/**
 * Run a helper program of the image (`rpm`, the prefix's `python3.X`) with
 * a bound on its time and its output. The program runs in a process group
 * of its own, so a timeout ends it and anything it started: a grandchild
 * holding the output pipe open would otherwise keep the run waiting.
 */
import { spawn } from 'child_process';

export type BoundedRunResult =
  | {
      kind: 'exited';
      code: number | null;
      signal: NodeJS.Signals | null;
      stdout: string;
      stderr: string;
    }
  | { kind: 'not-found' }
  | { kind: 'timeout' }
  | { kind: 'too-much-output' }
  | { kind: 'failed'; reason: string };

export interface IBoundedRunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  maxOutputBytes: number;
}

export function runBounded(
  file: string,
  args: string[],
  options: IBoundedRunOptions
): Promise<BoundedRunResult> {
  return new Promise(resolve => {
    const child = spawn(file, args, {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let verdict: BoundedRunResult | null = null;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null =
      null;

    const endGroup = () => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is gone already.
        }
      }
    };
    const stop = (result: BoundedRunResult) => {
      verdict ??= result;
      endGroup();
    };
    const timer = setTimeout(
      () => stop({ kind: 'timeout' }),
      options.timeoutMs
    );
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxOutputBytes) {
        stop({ kind: 'too-much-output' });
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      verdict ??=
        error.code === 'ENOENT'
          ? { kind: 'not-found' }
          : { kind: 'failed', reason: error.code ?? error.message };
      resolve(verdict);
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // What it left running in its group would hold the pipes open.
      endGroup();
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve(
        verdict ?? {
          kind: 'exited',
          code: exit?.code ?? null,
          signal: exit?.signal ?? null,
          stdout: Buffer.concat(stdout).toString('utf-8'),
          stderr: Buffer.concat(stderr).toString('utf-8')
        }
      );
    });
  });
}
