/**
 * `mlc env remove`: delete an env made by mlc and unregister its kernel.
 *
 * The directory must prove to be an env (docs/architecture.md, "What is an
 * env"): its own regular-file record whose prefix is this very directory,
 * with the env's layout present, and never the home directory or one of its
 * ancestors, `/`, or anything inside or around the base. It is then renamed
 * to a hidden sibling, so it disappears at once, checked to be the same
 * directory, and deleted without following a single link (../fs/removeTree).
 * Of two removes at once only one rename succeeds; the other says in one
 * line that the env is being (or was) removed.
 */
import * as fs from 'fs';
import * as os from 'os';
import {
  ENV_RECORD_FILE,
  type EnvRecord,
  type IEnvRemoveResult
} from '../../core/envRecord';
import { isWithin, normalizeAbsolute } from '../../core/validate';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { fsUserError } from '../fs/errors';
import { emptyTree, removeEmptyDirectory } from '../fs/removeTree';
import { existingEnvPath } from './existing';
import { nestedEnv } from './target';
import {
  removalUnderWay,
  removeLeftovers,
  removeStagingPath
} from './leftovers';
import { shQuote } from '../../core/quote';
import { kernelDataDir, listEnvKernels, unregisterKernel } from './kernel';
import { readEnvRecord } from './layout';
import { BASE_LINK } from './mirror';
import { moveEntry } from '../fs/entries';

const NOT_REMOVED = 'nothing was removed';

export function removeEnv(raw: string, context: ICliContext): IEnvRemoveResult {
  const envDir = existingEnvPath(raw, context.cwd);
  // An interrupted create or remove of this env first (ours only: leftovers.ts).
  const cleaned = removeLeftovers(envDir);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(envDir, { throwIfNoEntry: false });
  } catch (error) {
    throw fsUserError(error, `looking at ${envDir}`);
  }
  if (!stat) {
    // Gone already: another remove that is still at work is not an orphan.
    const pid = removalUnderWay(envDir);
    if (pid) {
      throw Private.raceError(envDir, pid);
    }
    return Private.removeOrphanKernel(envDir, context, cleaned);
  }
  if (stat.isSymbolicLink()) {
    throw new UserError(
      `${envDir} is a symbolic link; mlc removes an env only by its own path, ${NOT_REMOVED}`,
      'give the path of the env itself'
    );
  }
  if (!stat.isDirectory()) {
    throw new UserError(
      `${envDir} is not an mlc env (not a directory); ${NOT_REMOVED}`,
      'give the path of an env made by mlc env create (mlc env list shows them)'
    );
  }
  let proven: { record: EnvRecord; physical: string };
  const doomed = removeStagingPath(envDir);
  try {
    proven = Private.proveEnv(envDir, context);
    // The one atomic step: of two removes of this env, only one rename succeeds.
    moveEntry(envDir, doomed);
  } catch (error) {
    throw (
      Private.removedMeanwhile(envDir) ??
      (error instanceof UserError
        ? error
        : fsUserError(error, `removing ${envDir}`))
    );
  }
  const { record, physical } = proven;
  // The directory renamed must be the one proven: else put it back.
  const moved = fs.lstatSync(doomed);
  if (
    moved.dev !== stat.dev ||
    moved.ino !== stat.ino ||
    !moved.isDirectory()
  ) {
    moveEntry(doomed, envDir);
    throw new UserError(
      `${envDir} changed while it was being removed; ${NOT_REMOVED}`,
      'run the command again',
      1
    );
  }
  // The tree is emptied, the kernel unregistered, and only then the doomed
  // directory removed: while a remove is at work its directory is there for
  // a concurrent remove to see, and a killed one still has its kernel for
  // `env list` to report the leftover by.
  const deleteFailed = (error: unknown) => {
    const why = error instanceof Error ? error.message : String(error);
    return new UserError(
      `${envDir} was moved aside to ${doomed} but could not be deleted: ${why}`,
      `delete ${doomed} by hand`,
      1
    );
  };
  try {
    emptyTree(doomed);
  } catch (error) {
    throw deleteFailed(error);
  }
  let kernelName: string | null = null;
  if (record.kernelName) {
    try {
      const prefixes = [...new Set([envDir, record.prefix, physical])];
      const removed = unregisterKernel(
        kernelDataDir(context),
        record.kernelName,
        prefixes,
        record.creationId
      );
      kernelName = removed ? record.kernelName : null;
    } catch (error) {
      throw fsUserError(error, `unregistering the kernel ${record.kernelName}`);
    }
  }
  try {
    removeEmptyDirectory(doomed);
  } catch (error) {
    throw deleteFailed(error);
  }
  return { prefix: envDir, kernelName };
}

namespace Private {
  /**
   * When `envDir` is gone and another mlc is removing it now: that, in one
   * line (exit 1, nothing done here); else null.
   */
  export function removedMeanwhile(envDir: string): UserError | null {
    let gone = false;
    try {
      gone = !fs.lstatSync(envDir, { throwIfNoEntry: false });
    } catch {
      return null;
    }
    if (!gone) {
      return null;
    }
    return raceError(envDir, removalUnderWay(envDir));
  }

  /** Another mlc removes, or removed, the env: one line, exit 1. */
  export function raceError(envDir: string, pid: string | null): UserError {
    return new UserError(
      pid
        ? `${envDir} is being removed by another mlc command (pid ${pid}); nothing was done by this one`
        : `${envDir} was already removed by another mlc command; nothing was done by this one`,
      'mlc env list shows the envs',
      1
    );
  }

  /**
   * The env's record, once `envDir` proved to be an env; a one-line refusal
   * (nothing removed) otherwise.
   */
  export function proveEnv(
    envDir: string,
    context: ICliContext
  ): { record: EnvRecord; physical: string } {
    const physical = realpath(envDir) ?? envDir;
    const refuse = (
      why: string,
      hint = 'give the path of an env made by mlc env create (mlc env list shows them)'
    ): never => {
      throw new UserError(
        `${envDir} is not removed: ${why}; ${NOT_REMOVED}`,
        hint
      );
    };
    if (physical === '/') {
      refuse('it is the root directory');
    }
    // HOME and the password database's home: either may be the one in use.
    for (const candidate of [context.env.HOME, Private.passwdHome()]) {
      const home = candidate ? realpath(candidate) : null;
      if (home && isWithin(home, physical)) {
        refuse(
          physical === home
            ? 'it is your home directory'
            : 'it contains your home directory'
        );
      }
    }
    const read = readEnvRecord(envDir);
    if (!read.ok) {
      throw new UserError(
        `${envDir} is not an mlc env (${read.error}); ${NOT_REMOVED}`,
        'give the path of an env made by mlc env create (mlc env list shows them)'
      );
    }
    const record = read.value;
    const recorded = realpath(record.prefix);
    if (recorded !== physical) {
      refuse(
        `its ${ENV_RECORD_FILE} belongs to the env ${record.prefix}, not to this directory (a copy or a moved env)`,
        `if this is an env that was moved, move it back to ${record.prefix} first, or delete it by hand`
      );
    }
    const missing = layoutMissing(envDir);
    if (missing) {
      refuse(
        `it lacks the layout of an env (${missing})`,
        'delete it by hand if you are sure'
      );
    }
    const inner = nestedEnv(envDir);
    if (inner) {
      refuse(
        `it holds another env, ${inner}`,
        `remove that one first (mlc env remove ${shQuote(inner, 'always')}), or move it out`
      );
    }
    for (const base of [
      normalizeAbsolute(record.basePrefix),
      realpath(record.basePrefix)
    ]) {
      if (base && (isWithin(base, physical) || isWithin(physical, base))) {
        refuse(
          `it ${isWithin(base, physical) ? 'contains' : 'lies inside'} its base ${record.basePrefix}`,
          'remove it by hand if you are sure'
        );
      }
    }
    return { record, physical };
  }

  /** What of the layout every create writes is missing, or null. */
  function layoutMissing(envDir: string): string | null {
    const lstat = (name: string) =>
      fs.lstatSync(`${envDir}/${name}`, { throwIfNoEntry: false });
    if (!lstat(BASE_LINK)?.isSymbolicLink()) {
      return `${BASE_LINK} is not a link`;
    }
    if (!lstat('pyvenv.cfg')?.isFile()) {
      return 'no pyvenv.cfg';
    }
    if (!lstat('conda-meta')?.isDirectory()) {
      return 'no conda-meta directory';
    }
    return null;
  }

  /** No env at `envDir`: unregister a kernel left pointing at it, or refuse. */
  export function removeOrphanKernel(
    envDir: string,
    context: ICliContext,
    cleaned: string[]
  ): IEnvRemoveResult {
    let dataDir: string | null = null;
    try {
      dataDir = kernelDataDir(context);
    } catch {
      // No data dir: no kernel either.
    }
    const orphan = dataDir
      ? listEnvKernels(dataDir).find(
          kernel => kernel.facts?.envPrefix === envDir
        )
      : undefined;
    if ((!dataDir || !orphan) && cleaned.length > 0) {
      // What was left of an interrupted remove is gone now: the remove is finished.
      return { prefix: envDir, kernelName: null };
    }
    if (!dataDir || !orphan) {
      throw new UserError(
        `${envDir} does not exist (already removed?) and no kernel is registered for it`,
        'mlc env list shows the envs'
      );
    }
    try {
      unregisterKernel(dataDir, orphan.name, [envDir]);
    } catch (error) {
      throw fsUserError(error, `unregistering the kernel ${orphan.name}`);
    }
    return { prefix: envDir, kernelName: orphan.name };
  }

  export function passwdHome(): string | null {
    try {
      return os.userInfo().homedir || null;
    } catch {
      return null;
    }
  }

  export function realpath(file: string): string | null {
    try {
      return fs.realpathSync(file);
    } catch {
      return null;
    }
  }
}
