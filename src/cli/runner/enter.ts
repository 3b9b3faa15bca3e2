/**
 * Into what is set up here: a running container is exec'd into straight
 * away (no inspect first: each engine call costs a podman start-up); when
 * the exec fails because the container is stopped or only `Created`, it is
 * started and the exec repeated. A sandbox is run. The terminal is passed
 * through (-it only when stdin is a terminal) and the shell's status
 * returned.
 */
import { spawn } from 'child_process';
import { isSandboxEngine, type WorkState } from '../../core/runner/workState';
import {
  ensureRunning,
  execArgs,
  recordedContainer,
  sandboxArgs
} from './container';
import { engineFor, runEngine, type IEngine } from './engine';

export async function enter(
  state: WorkState,
  command: string[],
  env: NodeJS.ProcessEnv,
  extraEnv: string[] = []
): Promise<number> {
  const engine = engineFor(state.engine, env);
  if (isSandboxEngine(state.engine)) {
    return runEngine(engine, sandboxArgs(state, command));
  }
  const args = execArgs(
    state,
    command.length > 0 ? command : ['/bin/bash'],
    Boolean(process.stdin.isTTY),
    extraEnv
  );
  const first = await Private.execHoldingErrors(engine, args);
  if (
    first.code === 0 ||
    first.elapsedMs > Private.ENGINE_ERROR_WINDOW_MS ||
    first.heldBack === null
  ) {
    return first.code;
  }
  // The exec failed at once: if the container is not running, the command never ran.
  const view = recordedContainer(engine, state);
  if (view?.status === 'running') {
    process.stderr.write(first.heldBack);
    return first.code;
  }
  ensureRunning(engine, state, view);
  return runEngine(engine, args);
}

namespace Private {
  /** An engine refusing an exec answers within this; a command's own output is never held longer. */
  export const ENGINE_ERROR_WINDOW_MS = 1500;

  /**
   * Run the exec with stderr held back for the first moments, so the
   * engine's "container not running" is not shown when mlc then starts it.
   * `heldBack` is null once the stderr has been passed on.
   */
  export function execHoldingErrors(
    engine: IEngine,
    args: string[]
  ): Promise<{ code: number; elapsedMs: number; heldBack: string | null }> {
    const start = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(engine.file, [...engine.globalArgs, ...args], {
        stdio: ['inherit', 'inherit', 'pipe']
      });
      let held: Buffer[] | null = [];
      const release = () => {
        if (held) {
          for (const chunk of held) {
            process.stderr.write(chunk);
          }
          held = null;
        }
      };
      const timer = setTimeout(release, ENGINE_ERROR_WINDOW_MS);
      child.stderr.on('data', (chunk: Buffer) =>
        held ? held.push(chunk) : process.stderr.write(chunk)
      );
      const ignore = () => undefined;
      process.on('SIGINT', ignore);
      child.on('error', error => {
        clearTimeout(timer);
        process.off('SIGINT', ignore);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        process.off('SIGINT', ignore);
        const status = code ?? (signal ? 128 + 15 : 1);
        const heldBack = held ? Buffer.concat(held).toString('utf-8') : null;
        if (status === 0 || Date.now() - start > ENGINE_ERROR_WINDOW_MS) {
          release();
        }
        resolve({
          code: status,
          elapsedMs: Date.now() - start,
          heldBack: held ? heldBack : null
        });
      });
    });
  }
}
