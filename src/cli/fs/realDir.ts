/**
 * Directories the engine writes into must be real directories, never links
 * (docs/architecture.md, "Writes"): a link put in the place of `conda-meta` or
 * `bin` would send the writes to its target (the base, as root).
 */
import * as fs from 'fs';
import { errnoCode } from './errors';

/** Thrown when a directory the engine would write into is a link or a file. */
export class NotRealDirectoryError extends Error {
  readonly code = 'ENOTREALDIR';
  constructor(
    readonly path: string,
    readonly found: 'link' | 'file'
  ) {
    super(
      `${path} is ${found === 'link' ? 'a symbolic link' : 'not a directory'}`
    );
  }
}

export { isRealDirectory } from './probes';

/** Throw NotRealDirectoryError unless `dir` is absent or a real directory. */
export function assertNotLink(dir: string): void {
  const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) {
    throw new NotRealDirectoryError(
      dir,
      stat.isSymbolicLink() ? 'link' : 'file'
    );
  }
}

/**
 * Make `dir` (its parent must exist), or accept it when it is already a real
 * directory; true when made here. A link or file there is refused.
 */
export function ensureRealDirectory(dir: string, mode = 0o777): boolean {
  try {
    fs.mkdirSync(dir, { mode });
    return true;
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') {
      throw error;
    }
  }
  assertNotLink(dir);
  return false;
}

/**
 * Each directory from `root` (trusted, e.g. the env just checked) down to
 * `root/rel` must be a real directory or absent.
 */
export function assertRealPath(root: string, rel: string): void {
  let current = root;
  for (const part of rel.split('/').filter(Boolean)) {
    current = `${current}/${part}`;
    assertNotLink(current);
  }
}
