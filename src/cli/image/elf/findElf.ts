/**
 * The files under an image env prefix that may be ELF objects: every
 * regular file in bin/, sbin/ and libexec/, and below lib/ and lib64/
 * (where the packages keep their shared objects, e.g. site-packages) the
 * files named like a shared object or with an execute bit. Symlinks are
 * never followed (the file they name is visited at its own path, if it is
 * under the prefix at all) and non-regular files are skipped.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isRealDirectory } from '../../fs/probes';

/** The prefix's directories searched, in this order. */
export const ELF_DIRS: readonly string[] = [
  'bin',
  'sbin',
  'libexec',
  'lib',
  'lib64'
];

/** Directories that hold only executables: every regular file is a candidate. */
const EXECUTABLE_DIRS = new Set(['bin', 'sbin', 'libexec']);

export function findElfCandidates(prefix: string): string[] {
  const found: string[] = [];
  for (const top of ELF_DIRS) {
    const dir = path.join(prefix, top);
    if (!isRealDirectory(dir)) {
      continue;
    }
    Private.walk(dir, EXECUTABLE_DIRS.has(top), found);
  }
  return found;
}

/** Whether `name` looks like a shared object (`libx.so`, `libx.so.1.2`, `mod.cpython-311-x86_64-linux-gnu.so`). */
export function isSharedObjectName(name: string): boolean {
  return /\.so(\.[0-9]+)*$/.test(name);
}

namespace Private {
  /** Depth-first, with an explicit stack: deep trees cannot overflow the call stack. */
  export function walk(
    root: string,
    everyFile: boolean,
    found: string[]
  ): void {
    const pending = [root];
    while (pending.length > 0) {
      const dir = pending.pop() as string;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        // Unreadable directory: nothing in it can be repaired by us anyway.
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          pending.push(full);
        } else if (
          entry.isFile() &&
          (everyFile || isSharedObjectName(entry.name) || hasExecuteBit(full))
        ) {
          found.push(full);
        }
      }
    }
  }

  function hasExecuteBit(file: string): boolean {
    try {
      return (fs.lstatSync(file).mode & 0o111) !== 0;
    } catch {
      return false;
    }
  }
}
