/**
 * `mlc` run without blocking this process: tests that serve HTTP from
 * inside jest (the Docker Hub stand-in) must keep their event loop free
 * while mlc talks to them.
 */
import { spawn } from 'child_process';
import { MLC_BUNDLE } from './paths';
import type { IRunResult } from './mlc';

export function runMlcAsync(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}
): Promise<IRunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MLC_BUNDLE, ...args], {
      env: { ...process.env, ...(options.env ?? {}) },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => (stdout += chunk));
    child.stderr.on('data', chunk => (stderr += chunk));
    const timer = setTimeout(
      () => child.kill('SIGKILL'),
      options.timeoutMs ?? 120000
    );
    child.on('error', reject);
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
