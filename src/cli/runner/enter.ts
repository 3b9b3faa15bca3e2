/**
 * Into what is set up here: a stopped or `Created` container is started, a
 * running one exec'd into, a sandbox run; the terminal is passed through
 * (-it only when stdin is a terminal) and the shell's status returned.
 */
import { isSandboxEngine, type WorkState } from '../../core/workState';
import { ensureRunning, execArgs, sandboxArgs } from './container';
import { engineFor, runEngine } from './engine';

export async function enter(state: WorkState, command: string[], env: NodeJS.ProcessEnv, extraEnv: string[] = []): Promise<number> {
  const engine = engineFor(state.engine, env);
  if (isSandboxEngine(state.engine)) {
    return runEngine(engine, sandboxArgs(state, command));
  }
  ensureRunning(engine, state);
  const shell = command.length > 0 ? command : ['/bin/bash'];
  return runEngine(engine, execArgs(state, shell, Boolean(process.stdin.isTTY), extraEnv));
}
