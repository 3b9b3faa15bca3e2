/**
 * Rewrite byte ranges of a file atomically: copy it to a temporary sibling,
 * patch the copy, give it the original's mode and owner, fsync, check it,
 * and rename it over the original. A reader sees the old file or the new
 * one; a failure leaves the original untouched and no temporary behind.
 * The rename also breaks a hard link to a package cache (micromamba links
 * files from its cache into the prefix), so the cache is never changed.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../../errors';

export interface IBytePatch {
  offset: number;
  bytes: Uint8Array;
}

/**
 * Apply `patches` to `file`. `verify` gets the patched copy's path before
 * the rename and throws to abandon the change.
 */
export function patchFileAtomically(
  file: string,
  patches: readonly IBytePatch[],
  verify: (copy: string) => void
): void {
  const original = fs.lstatSync(file);
  if (!original.isFile()) {
    // Replaced by a link or something else since it was inspected: never write through it.
    throw new UserError(
      `${file} is no longer a regular file`,
      'it changed while being repaired; run again',
      1
    );
  }
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.mlc-${randomBytes(4).toString('hex')}.tmp`
  );
  let renamed = false;
  try {
    fs.copyFileSync(file, temporary, fs.constants.COPYFILE_EXCL);
    const fd = fs.openSync(temporary, 'r+');
    try {
      for (const patch of patches) {
        fs.writeSync(fd, patch.bytes, 0, patch.bytes.length, patch.offset);
      }
      if (fs.fstatSync(fd).size !== original.size) {
        throw new Error(`the patched copy of ${file} changed size`);
      }
      fs.fchownSync(fd, original.uid, original.gid);
      // After chown: it clears set-id bits, which the chmod restores.
      fs.fchmodSync(fd, original.mode & 0o7777);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    verify(temporary);
    fs.renameSync(temporary, file);
    renamed = true;
    Private.syncDirectory(path.dirname(file));
  } finally {
    if (!renamed) {
      fs.rmSync(temporary, { force: true });
    }
  }
}

namespace Private {
  /** Make the rename durable; a file system that cannot fsync a directory is left as it is. */
  export function syncDirectory(dir: string): void {
    let fd: number | null = null;
    try {
      fd = fs.openSync(dir, 'r');
      fs.fsyncSync(fd);
    } catch {
      // Best effort only.
    } finally {
      if (fd !== null) {
        fs.closeSync(fd);
      }
    }
  }
}
