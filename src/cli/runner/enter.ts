/**
 * Into what is set up here: the container is first checked to be the one
 * this work directory set up (its id and our labels, as status, setup -f
 * and update -f check), started if stopped, then exec'd into. A sandbox is
 * run. The terminal is passed through (-it only when stdin is a terminal)
 * and the shell's status returned.
 */
import { isSandboxEngine, type WorkState } from '../../core/runner/workState';
import {
  ensureRunning,
  execArgs,
  recordedContainer,
  sandboxArgs
} from './container';
import { engineFor, runEngine } from './engine';

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
  // A state file can name any container: only ours is entered (one inspect, the ownership check).
  ensureRunning(engine, state, recordedContainer(engine, state));
  return runEngine(
    engine,
    execArgs(
      state,
      command.length > 0 ? command : ['/bin/bash'],
      Boolean(process.stdin.isTTY),
      extraEnv
    )
  );
}
