/**
 * Bounded listings of directories whose contents someone else controls (an
 * env's site-packages, conda-meta, revisions): only a real directory is
 * listed (a link in its place is refused, not followed), and at most
 * `maxEntries` names are returned, so a directory of a million files cannot
 * exhaust `mlc`.
 */
import * as fs from 'fs';
import { errnoCode } from './errors';

export type DirListing =
  | { ok: true; entries: fs.Dirent[]; truncated: boolean }
  | { ok: false; missing: boolean; reason: string };

/** The entries of the real directory `dir` (at most `maxEntries`), or why not. */
export function listRealDirectory(dir: string, maxEntries: number): DirListing {
  const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (!stat) {
    return { ok: false, missing: true, reason: 'does not exist' };
  }
  if (!stat.isDirectory()) {
    return {
      ok: false,
      missing: false,
      reason: stat.isSymbolicLink()
        ? 'is a symbolic link'
        : 'is not a directory'
    };
  }
  let handle: fs.Dir;
  try {
    handle = fs.opendirSync(dir);
  } catch (error) {
    return {
      ok: false,
      missing: false,
      reason: `cannot be read (${errnoCode(error) ?? 'error'})`
    };
  }
  const entries: fs.Dirent[] = [];
  let truncated = false;
  try {
    for (;;) {
      const entry = handle.readSync();
      if (!entry) {
        break;
      }
      if (entries.length >= maxEntries) {
        truncated = true;
        break;
      }
      entries.push(entry);
    }
  } finally {
    handle.closeSync();
  }
  return { ok: true, entries, truncated };
}

/** Rename `from` to `to` (same directory tree): the one step that publishes a staged tree. */
export function renameEntry(from: string, to: string): void {
  fs.renameSync(from, to);
}

/** Whether anything (a link included, not followed) is at `file`. */
export function entryExists(file: string): boolean {
  return fs.lstatSync(file, { throwIfNoEntry: false }) !== undefined;
}
