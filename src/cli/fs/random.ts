/**
 * Random bytes for ids and temporary names, read from the kernel's
 * `/dev/urandom`: loading Node's `crypto` (or `globalThis.crypto`) costs
 * about 5 ms of CPU at every start that needs one random name, and `fs` is
 * loaded already (bench/FINDINGS.md, round two). Only a character device is
 * read, a few bytes, once per call; should it be missing (a chroot without
 * /dev), `crypto` answers instead.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';

/** `count` random bytes (at most 64) as lower-case hex. */
export function randomHex(count: number): string {
  if (!Number.isInteger(count) || count < 1 || count > Private.MAX_BYTES) {
    throw new RangeError(`randomHex: count must be 1-${Private.MAX_BYTES}`);
  }
  return (Private.fromUrandom(count) ?? randomBytes(count)).toString('hex');
}

namespace Private {
  export const MAX_BYTES = 64;

  /** The bytes, or null when /dev/urandom is not a readable character device. */
  export function fromUrandom(count: number): Buffer | null {
    let fd: number;
    try {
      fd = fs.openSync(
        '/dev/urandom',
        fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW
      );
    } catch {
      return null;
    }
    try {
      if (!fs.fstatSync(fd).isCharacterDevice()) {
        return null;
      }
      const bytes = Buffer.allocUnsafe(count);
      let filled = 0;
      // /dev/urandom fills a small read at once; the loop is bounded all the same.
      for (let reads = 0; filled < count && reads < 2 * count; reads++) {
        const got = fs.readSync(fd, bytes, filled, count - filled, null);
        if (got <= 0) {
          return null;
        }
        filled += got;
      }
      return filled === count ? bytes : null;
    } catch {
      return null;
    } finally {
      fs.closeSync(fd);
    }
  }
}
