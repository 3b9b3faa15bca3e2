/**
 * Paths inside another system's root (`mlc image manifest --root R`), the
 * way a chroot would see them: an absolute symlink such as
 * `etc/os-release -> /usr/lib/os-release` means `R/usr/lib/os-release`,
 * never the host's file, and `..` cannot climb above R.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readRegularFile } from '../fs/regularFile';

/** More links than this on one path is a loop (the kernel's own limit is 40). */
const MAX_LINKS = 40;

/**
 * `inRootPath` (absolute, as seen inside the root) as a host path below
 * `root`, with every symlink on the way resolved inside the root. Missing
 * components are left as they are: the caller's read reports them.
 */
export function resolveInRoot(root: string, inRootPath: string): string {
  let pending = Private.parts(inRootPath);
  let resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(root, ...resolved, part);
    const target = Private.linkTarget(candidate);
    if (target === null) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) {
      throw new Error(`too many levels of symbolic links at ${candidate}`);
    }
    if (target.startsWith('/')) {
      resolved = [];
    }
    pending = [...Private.parts(target), ...pending];
  }
  return path.join(root, ...resolved);
}

/**
 * The text of a regular file inside the root, or null when it does not
 * exist; anything else (a FIFO, a device, too large, unreadable) throws an
 * Error whose message is the reason, e.g. `is not a regular file (a FIFO)`.
 */
export function readFileInRoot(
  root: string,
  inRootPath: string,
  maxBytes: number
): string | null {
  // Every link is resolved already: one left at the end is not followed.
  const read = readRegularFile(resolveInRoot(root, inRootPath), {
    maxBytes,
    followLinks: false
  });
  if (read.ok) {
    return read.text;
  }
  if (read.missing) {
    return null;
  }
  throw new Error(read.reason);
}

namespace Private {
  export function parts(p: string): string[] {
    return p.split('/').filter(part => part !== '' && part !== '.');
  }

  export function linkTarget(candidate: string): string | null {
    try {
      return fs.lstatSync(candidate).isSymbolicLink()
        ? fs.readlinkSync(candidate)
        : null;
    } catch {
      return null;
    }
  }
}
