/**
 * Read a file of an image that someone else made: only a regular file, and
 * only up to a size no real one reaches. A FIFO would block the read for
 * ever, a device (`/dev/zero`) would never end, and a huge file would
 * exhaust memory; each is refused with a reason instead.
 */
import * as fs from 'fs';
import { errnoCode } from './errors';

type Failure =
  | { ok: false; missing: true; reason: string }
  | { ok: false; missing: false; reason: string };

export type RegularFileText = { ok: true; text: string } | Failure;
export type RegularFileBytes = { ok: true; bytes: Buffer } | Failure;

export interface IReadLimits {
  /** Refuse files larger than this. */
  maxBytes: number;
  /** False: a symlink as the last component is refused, not followed. */
  followLinks?: boolean;
  /** True: bytes that are not UTF-8 refuse the file (JSON must be UTF-8). */
  strictUtf8?: boolean;
}

/**
 * The UTF-8 text of `file` (invalid bytes become U+FFFD unless
 * `strictUtf8`), or why not: `missing` for ENOENT/ENOTDIR, else a short reason.
 */
export function readRegularFile(
  file: string,
  limits: IReadLimits
): RegularFileText {
  const read = readRegularBytes(file, limits);
  if (!read.ok) {
    return read;
  }
  if (limits.strictUtf8 !== true) {
    return { ok: true, text: read.bytes.toString('utf-8') };
  }
  try {
    return {
      ok: true,
      text: Private.strictDecoder().decode(read.bytes)
    };
  } catch {
    Private.forgetDecoder(); // a fresh one next time, whatever state it kept
    return { ok: false, missing: false, reason: 'is not valid UTF-8' };
  }
}

/** The bytes of `file` (a logo, a binary), with the same refusals as readRegularFile. */
export function readRegularBytes(
  file: string,
  limits: IReadLimits
): RegularFileBytes {
  // Judge the kind before opening: opening some devices has effects of its own.
  let before: fs.Stats;
  try {
    before =
      limits.followLinks === false ? fs.lstatSync(file) : fs.statSync(file);
  } catch (error) {
    return Private.failure(error);
  }
  if (!before.isFile()) {
    return {
      ok: false,
      missing: false,
      reason: `is not a regular file (${Private.kind(before)})`
    };
  }
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO swapped in since the stat cannot block the open.
    const noFollow = limits.followLinks === false ? fs.constants.O_NOFOLLOW : 0;
    fd = fs.openSync(
      file,
      fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | noFollow
    );
  } catch (error) {
    return Private.failure(error);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      return {
        ok: false,
        missing: false,
        reason: `is not a regular file (${Private.kind(stat)})`
      };
    }
    if (stat.size > limits.maxBytes) {
      return {
        ok: false,
        missing: false,
        reason: `is too large (${stat.size} bytes, at most ${limits.maxBytes} read)`
      };
    }
    return Private.readCapped(fd, limits.maxBytes, stat.size);
  } catch (error) {
    return Private.failure(error);
  } finally {
    fs.closeSync(fd);
  }
}

namespace Private {
  let decoder: InstanceType<typeof TextDecoder> | undefined;

  /** One strict decoder for the process: `decode()` without `stream` starts afresh each call. */
  export function strictDecoder(): InstanceType<typeof TextDecoder> {
    decoder ??= new TextDecoder('utf-8', { fatal: true });
    return decoder;
  }

  export function forgetDecoder(): void {
    decoder = undefined;
  }

  /** Read to the end, but never past `maxBytes` (the file may grow while read). */
  export function readCapped(
    fd: number,
    maxBytes: number,
    size: number
  ): RegularFileBytes {
    const chunks: Buffer[] = [];
    let total = 0;
    // As large as the file (one read and the end), not 1 MiB for each: that
    // allocation was most of `mlc env list`'s time. Not zero-filled: only
    // the bytes read are copied out.
    const chunk = Buffer.allocUnsafe(
      Math.min(maxBytes + 1, 1 << 20, Math.max(size + 1, 4096))
    );
    for (;;) {
      const count = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (count === 0) {
        break;
      }
      total += count;
      if (total > maxBytes) {
        return {
          ok: false,
          missing: false,
          reason: `is too large (more than ${maxBytes} bytes)`
        };
      }
      chunks.push(Buffer.from(chunk.subarray(0, count)));
    }
    return {
      ok: true,
      bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total)
    };
  }

  export function failure(error: unknown): Failure {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return { ok: false, missing: true, reason: 'does not exist' };
    }
    if (code === 'ELOOP') {
      return {
        ok: false,
        missing: false,
        reason: 'is a symlink loop or a link not followed (ELOOP)'
      };
    }
    return {
      ok: false,
      missing: false,
      reason: `cannot be read (${code ?? (error as Error).message.split('\n')[0]})`
    };
  }

  export function kind(stat: fs.Stats): string {
    if (stat.isDirectory()) {
      return 'a directory';
    }
    if (stat.isFIFO()) {
      return 'a FIFO';
    }
    if (stat.isSocket()) {
      return 'a socket';
    }
    if (stat.isCharacterDevice() || stat.isBlockDevice()) {
      return 'a device';
    }
    return stat.isSymbolicLink() ? 'a symlink' : 'not a file';
  }
}
