/**
 * Reading a small file the user can edit without hanging or exhausting
 * memory: a FIFO or device is refused (opened non-blocking, then checked to
 * be a regular file), the size is bounded, and a link is followed only when
 * asked.
 */
import * as fs from 'fs';
import { errnoCode } from './errors';

export type SmallRead =
  | { ok: true; text: string }
  | {
      ok: false;
      reason:
        'missing' | 'link' | 'denied' | 'not-file' | 'too-large' | 'unreadable';
    };

export function readSmallFile(
  file: string,
  maxBytes: number,
  followLink: boolean
): SmallRead {
  const flags =
    fs.constants.O_RDONLY |
    fs.constants.O_NONBLOCK |
    (followLink ? 0 : fs.constants.O_NOFOLLOW);
  let fd: number;
  try {
    fd = fs.openSync(file, flags);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ELOOP' && !followLink) {
      return { ok: false, reason: 'link' };
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return { ok: false, reason: 'denied' };
    }
    return {
      ok: false,
      reason: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable'
    };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      return { ok: false, reason: 'not-file' };
    }
    if (stat.size > maxBytes) {
      return { ok: false, reason: 'too-large' };
    }
    const buffer = Buffer.alloc(stat.size);
    let length = 0;
    while (length < stat.size) {
      const read = fs.readSync(fd, buffer, length, stat.size - length, length);
      if (read === 0) {
        break;
      }
      length += read;
    }
    return { ok: true, text: buffer.subarray(0, length).toString('utf-8') };
  } catch {
    return { ok: false, reason: 'unreadable' };
  } finally {
    fs.closeSync(fd);
  }
}
