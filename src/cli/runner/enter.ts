/**
 * Into what is set up here: the container is entered only when the engine
 * has said that its id carries this work directory's labels (as status,
 * setup -f and update -f check); a stopped one is started. A sandbox is
 * run. The terminal is passed through (-it only when stdin is a terminal)
 * and the shell's status returned.
 *
 * The engine's word is asked once per container and kept
 * (`ownershipProof.ts`): with it, entering is one engine call, the exec;
 * an exec the engine refuses at once (stopped, gone) falls back to asking
 * the engine and starting the container, with the refusal not shown.
 */
import { isatty } from 'tty';
import { isSandboxEngine, type WorkState } from '../../core/runner/workState';
import {
  ensureRunning,
  execArgs,
  recordedContainer,
  sandboxArgs
} from './container';
import {
  ENGINE_ERROR_WINDOW_MS,
  engineFor,
  runEngine,
  runEngineHoldingErrors
} from './engine';
import {
  forgetOwnershipProof,
  hasOwnershipProof,
  recordOwnershipProof
} from './ownershipProof';

export async function enter(
  state: WorkState,
  command: string[],
  env: NodeJS.ProcessEnv,
  extraEnv: string[] = [],
  warn: (message: string) => void = () => undefined
): Promise<number> {
  const engine = engineFor(state.engine, env);
  if (isSandboxEngine(state.engine)) {
    return runEngine(engine, sandboxArgs(state, command));
  }
  const args = execArgs(
    state,
    command.length > 0 ? command : ['/bin/bash'],
    // isatty, not process.stdin.isTTY: that getter builds the stdin stream (about 1.5 ms).
    isatty(0),
    extraEnv
  );
  if (hasOwnershipProof(state, env)) {
    const first = await runEngineHoldingErrors(engine, args);
    // Engines differ in their refusal's status (podman 4.3: 255 when stopped, 125 when gone).
    if (
      first.code === 0 ||
      first.heldBack === null ||
      first.elapsedMs > ENGINE_ERROR_WINDOW_MS
    ) {
      return first.code;
    }
    // Refused at once: the command never ran if the container is not running.
    const view = recordedContainer(engine, state);
    if (view?.status === 'running') {
      process.stderr.write(first.heldBack);
      return first.code;
    }
    if (!view) {
      forgetOwnershipProof(state, env);
    }
    if (!Private.isExecRefusal(first.heldBack)) {
      // Not the engine's refusal: the command may have run (and stopped the
      // container itself), so it is never run twice.
      process.stderr.write(first.heldBack);
      ensureRunning(engine, state, view);
      warn(
        'the container was not running when the command ended; it is started again: run the command again if it did not run'
      );
      return first.code;
    }
    ensureRunning(engine, state, view);
    return runEngine(engine, args);
  }
  // A state file can name any container: only ours is entered (the ownership check).
  ensureRunning(engine, state, recordedContainer(engine, state));
  recordOwnershipProof(state, env);
  return runEngine(engine, args);
}

namespace Private {
  /**
   * The engines' words for an exec refused before anything ran: podman's
   * "container state improper" / "no such container", docker's "is not
   * running" / "No such container".
   */
  const EXEC_REFUSAL =
    /container state improper|is not running|no such container/i;

  export function isExecRefusal(stderr: string): boolean {
    return EXEC_REFUSAL.test(stderr);
  }
}
