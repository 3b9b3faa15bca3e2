/** An IByteSource over an open file descriptor (reads exactly what is asked). */
import * as fs from 'fs';
import type { IByteSource } from './parse';

export function fileSource(fd: number, size: number): IByteSource {
  return {
    size,
    read(offset: number, length: number): Uint8Array {
      if (offset < 0 || length < 0 || offset + length > size) {
        // The parser checks bounds first: reaching this is a bug, not bad input.
        throw new RangeError(
          `read of ${length} bytes at ${offset} outside a ${size}-byte file`
        );
      }
      const buffer = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const count = fs.readSync(
          fd,
          buffer,
          done,
          length - done,
          offset + done
        );
        if (count === 0) {
          throw new RangeError(
            `the file shrank while being read (at ${offset + done})`
          );
        }
        done += count;
      }
      return buffer;
    }
  };
}
