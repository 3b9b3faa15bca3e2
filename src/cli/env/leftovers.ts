/**
 * What an interrupted verb on an env leaves behind, and the one rule for
 * cleaning it: only what proves to be ours. A leftover is
 * - a create's staging tree beside the env:
 *   `.mlc-tmp.<digest of the name>.<digest of the host>.<pid>.<random>`,
 * - a remove's doomed tree beside the env:
 *   `.mlc-tmp.rm.<digest of the prefix>.<digest of the host>.<pid>`,
 * - a staged file inside the env (the staged-write module's
 *   `.<name>.mlc-tmp-<pid>-<hex>`) in its top, conda-meta or bin;
 * each with our naming pattern for this env, made on this host by a process
 * that no longer runs, a real directory (or regular file), never a link.
 * Every verb on the env cleans them first (create, remove, check --fix);
 * `env list` and `env check` report them until then.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { IEnvProblem } from '../../core/envRecord';
import { shQuote } from '../../core/quote';
import { shortDigest } from '../../core/validate';
import { deadProcess, staleStagedFiles } from '../fs/staleStaging';
import { removeEntry, removeTree } from '../fs/removeTree';

export interface ILeftover {
  path: string;
  kind: 'create' | 'remove' | 'staged';
}

/** The prefix of a create's staging tree for an env named `name` (pid and random follow). */
export function createStagingPrefix(name: string): string {
  return `.mlc-tmp.${shortDigest(name)}.${Private.hostDigest()}.`;
}

/** Where a remove of `envDir` moves it before deleting it. */
export function removeStagingPath(envDir: string): string {
  return `${path.posix.dirname(envDir)}/.mlc-tmp.rm.${shortDigest(envDir)}.${Private.hostDigest()}.${process.pid}`;
}

/**
 * The pid of a live process on this host that is removing the env at
 * `envDir` right now (its doomed tree is beside the env), or null.
 */
export function removalUnderWay(envDir: string): string | null {
  const parent = path.posix.dirname(envDir);
  const remove = `.mlc-tmp.rm.${shortDigest(envDir)}.${Private.hostDigest()}.`;
  for (const entry of Private.names(parent)) {
    const pid = entry.slice(remove.length);
    if (
      entry.startsWith(remove) &&
      /^[1-9]\d{0,9}$/.test(pid) &&
      !deadProcess(pid) &&
      Number(pid) !== process.pid &&
      Private.isRealDirectory(`${parent}/${entry}`)
    ) {
      return pid;
    }
  }
  return null;
}

/**
 * The leftovers of interrupted verbs on the env at `envDir` (which may
 * itself be gone); `names` lists its parent (`env list` hands in a lister
 * that reads each parent once for all the envs in it).
 */
export function findLeftovers(
  envDir: string,
  names: (dir: string) => string[] = Private.names
): ILeftover[] {
  const parent = path.posix.dirname(envDir);
  const name = path.posix.basename(envDir);
  const found: ILeftover[] = [];
  const create = createStagingPrefix(name);
  const remove = `.mlc-tmp.rm.${shortDigest(envDir)}.${Private.hostDigest()}.`;
  for (const entry of names(parent)) {
    // Most of the folder is other envs: one comparison rules each out.
    if (!entry.startsWith('.mlc-tmp.')) {
      continue;
    }
    const kind = entry.startsWith(remove)
      ? 'remove'
      : entry.startsWith(create)
        ? 'create'
        : null;
    if (!kind) {
      continue;
    }
    const rest = entry.slice(kind === 'remove' ? remove.length : create.length);
    const pid = kind === 'remove' ? rest : rest.split('.')[0];
    const file = `${parent}/${entry}`;
    if (deadProcess(pid) && Private.isRealDirectory(file)) {
      found.push({ path: file, kind });
    }
  }
  for (const dir of [envDir, `${envDir}/conda-meta`, `${envDir}/bin`]) {
    if (!Private.isRealDirectory(dir)) {
      continue;
    }
    for (const file of staleStagedFiles(dir)) {
      found.push({ path: file, kind: 'staged' });
    }
  }
  return found;
}

/** Remove `leftovers` (each checked again just before); returns the paths removed. */
export function removeLeftovers(envDir: string): string[] {
  const removed: string[] = [];
  for (const leftover of findLeftovers(envDir)) {
    try {
      if (leftover.kind === 'staged') {
        removeEntry(leftover.path);
      } else {
        // The one removal module: never follows a link, never leaves the tree.
        removeTree(leftover.path);
      }
      removed.push(leftover.path);
    } catch {
      // Left for the next verb; `env check` keeps reporting it.
    }
  }
  return removed;
}

/** The problem `env list` and `env check` report for leftovers, or null. */
export function leftoverProblem(
  envDir: string,
  leftovers: readonly ILeftover[]
): IEnvProblem | null {
  if (leftovers.length === 0) {
    return null;
  }
  return {
    code: 'leftovers',
    message: `${leftovers.length} leftover(s) of an interrupted mlc command (e.g. ${leftovers[0].path})`,
    fixable: true,
    hint: `run: mlc env check ${shQuote(envDir, 'always')} --fix (or any mlc env verb on it)`
  };
}

namespace Private {
  let host: string | undefined;

  /** The host's part of a staging name: one uname per process, not two per env listed. */
  export function hostDigest(): string {
    host ??= shortDigest(os.hostname());
    return host;
  }

  export function names(dir: string): string[] {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  }

  export function isRealDirectory(file: string): boolean {
    return lstat(file)?.isDirectory() === true;
  }

  function lstat(file: string): fs.Stats | undefined {
    try {
      return fs.lstatSync(file, { throwIfNoEntry: false });
    } catch {
      return undefined;
    }
  }
}
