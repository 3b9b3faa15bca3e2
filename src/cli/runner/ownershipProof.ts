/**
 * The engine's word, kept: "container ID carries this work directory's
 * labels (workdir id, setup id)". `mlc enter` needs that proof before it
 * execs into what a state file names; asking the engine costs a second
 * engine process (about 38 ms of CPU for podman's `container inspect`,
 * bench/FINDINGS.md, round three). A container's labels are fixed when it
 * is created and its 64-hex id is never given to another container, so
 * once the engine has said it, it stays true for as long as that id exists
 * (and an exec by a gone id fails, which `enter` handles).
 *
 * Kept in the user's cache directory (`$XDG_CACHE_HOME/mlc/containers`,
 * else `~/.cache/mlc/containers`), one file per work directory, written
 * only after the engine confirmed it. A state file, a work directory or
 * another user cannot forge one: a proof is taken only from a real
 * directory and a regular file both owned by this user and writable by
 * no one else, and only when its text names exactly the state's engine,
 * container id, work directory id and setup id.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { WorkState } from '../../core/runner/workState';
import { makePath } from '../fs/entries';
import { entryStat } from '../fs/probes';
import { ensureRealDirectory } from '../fs/realDir';
import { readRegularFile } from '../fs/regularFile';
import { removeFile } from '../fs/removeTree';
import { writeFileStaged } from '../fs/stagedWrite';

/** Whether the engine said before that the state's container is this work directory's. */
export function hasOwnershipProof(
  state: WorkState,
  env: NodeJS.ProcessEnv
): boolean {
  const file = Private.proofFile(state, env);
  if (
    !file ||
    !Private.ownedByUs(entryStat(path.dirname(file)), 'directory') ||
    !Private.ownedByUs(entryStat(file), 'file')
  ) {
    return false;
  }
  const read = readRegularFile(file, { maxBytes: 4096, followLinks: false });
  return read.ok && read.text === Private.proofText(state);
}

/** Keep the engine's confirmation (best effort: without it, the next enter asks the engine again). */
export function recordOwnershipProof(
  state: WorkState,
  env: NodeJS.ProcessEnv
): void {
  const file = Private.proofFile(state, env);
  if (!file) {
    return;
  }
  try {
    const dir = path.dirname(file);
    makePath(path.dirname(dir));
    ensureRealDirectory(dir, 0o700);
    if (Private.ownedByUs(entryStat(dir), 'directory')) {
      writeFileStaged(file, Private.proofText(state), 0o600);
    }
  } catch {
    // A cache that cannot be written costs speed, never correctness.
  }
}

/** Drop a proof the engine no longer bears out (the container is gone). */
export function forgetOwnershipProof(
  state: WorkState,
  env: NodeJS.ProcessEnv
): void {
  const file = Private.proofFile(state, env);
  // Only a proof file of ours goes (unlinked: never a directory, never through a link).
  if (
    file &&
    Private.ownedByUs(entryStat(path.dirname(file)), 'directory') &&
    Private.ownedByUs(entryStat(file), 'file')
  ) {
    try {
      removeFile(file);
    } catch {
      // Harmless: a proof that does not match the state is never used.
    }
  }
}

namespace Private {
  const FORMAT = 'mlc-container-proof 1';

  /** The proof's file for this work directory, or null without a usable cache directory. */
  export function proofFile(
    state: WorkState,
    env: NodeJS.ProcessEnv
  ): string | null {
    // Both come from the validated state (64 hex digits): never a path of their own.
    if (!state.container || !/^[a-f0-9]{64}$/.test(state.workdirId)) {
      return null;
    }
    const xdg = env.XDG_CACHE_HOME;
    const cache =
      xdg && path.isAbsolute(xdg)
        ? xdg
        : env.HOME && path.isAbsolute(env.HOME)
          ? path.join(env.HOME, '.cache')
          : null;
    return cache
      ? path.join(cache, 'mlc', 'containers', state.workdirId)
      : null;
  }

  export function proofText(state: WorkState): string {
    return `${FORMAT} ${state.engine} ${state.container?.id} ${state.workdirId} ${state.setupId}\n`;
  }

  /** A real directory or regular file of this user that no one else may write. */
  export function ownedByUs(
    stat: fs.Stats | null,
    kind: 'directory' | 'file'
  ): boolean {
    return (
      stat !== null &&
      (kind === 'directory' ? stat.isDirectory() : stat.isFile()) &&
      stat.uid === process.getuid?.() &&
      (stat.mode & 0o022) === 0
    );
  }
}
