/**
 * New directory entries other than written files: directories, symbolic
 * links, exclusive copies, renames. None acts through a link at its last
 * component (mkdir, symlink and an exclusive copy fail on anything already
 * there; rename replaces the entry itself); `makeDirectories` also refuses a
 * link at any component below the root it is given (docs/architecture.md,
 * "Writes").
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { errnoCode } from './errors';
import { assertNotLink } from './realDir';

/** mkdir `dir` (its parent must exist), with `mode` set whatever the umask when `exactMode`. */
export function makeDirectory(
  dir: string,
  mode = 0o777,
  exactMode = false
): void {
  fs.mkdirSync(dir, { mode });
  if (exactMode) {
    fs.chmodSync(dir, mode);
  }
}

/**
 * Make every missing directory from below `root` down to `dir`, refusing
 * (NotRealDirectoryError) a link or file at any of them; `root` itself is
 * trusted (the user gave it). Returns the directories made, parents first.
 */
export function makeDirectories(
  root: string,
  dir: string,
  mode = 0o777,
  exactMode = false
): string[] {
  const made: string[] = [];
  let current = root;
  for (const part of Private.below(root, dir)) {
    current = path.join(current, part);
    try {
      makeDirectory(current, mode, exactMode);
      made.push(current);
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') {
        throw error;
      }
      assertNotLink(current);
    }
  }
  return made;
}

/**
 * `mkdir -p` of a path the user named as a whole (a Jupyter data directory),
 * links on the way followed as the user's shell would.
 */
export function makePath(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
}

/** A private scratch directory under the system's temporary directory. */
export function makeScratchDirectory(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Make the symbolic link `file` -> `target` (fails when anything is at `file`). */
export function makeSymlink(target: string, file: string): void {
  fs.symlinkSync(target, file);
}

/** Copy `from` to the new file `to` (fails when anything is at `to`, a link included). */
export function copyNewFile(from: string, to: string): void {
  fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
}

/** Rename the entry `from` to `to` (the entry itself, never a link's target). */
export function moveEntry(from: string, to: string): void {
  fs.renameSync(from, to);
}

namespace Private {
  /** The components of `dir` below `root`; refuses a `dir` outside `root`. */
  export function below(root: string, dir: string): string[] {
    const rel = path.relative(root, dir);
    if (rel === '') {
      return [];
    }
    if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) {
      throw new Error(`${dir} is not below ${root}`);
    }
    return rel.split(path.sep);
  }
}
