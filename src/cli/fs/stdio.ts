/**
 * Writing mlc's own output to stdout and stderr (the Reporter, src/cli/output.ts,
 * is the one user): file descriptors 1 and 2, not files, so nothing is staged.
 */
import * as fs from 'fs';

/**
 * A writer of file descriptor `fd`: `fs.writeSync` while it works, since
 * making `process.stdout` (a stream, a socket for a pipe) costs about 2 ms
 * of CPU at every start and mlc writes little. On any error (EAGAIN from a
 * full non-blocking pipe, EPIPE, ...) the rest goes to the stream from
 * then on, which waits for a full pipe and reports its errors as it
 * always did (index.ts: a reader that closed the pipe ends mlc quietly).
 * Node writes to files and pipes synchronously too, so the order holds.
 */
export function fdWriter(
  fd: number,
  stream: () => NodeJS.WriteStream
): (text: string) => void {
  let streamed = false;
  return text => {
    if (streamed) {
      stream().write(text);
      return;
    }
    const bytes = Buffer.from(text, 'utf8');
    let done = 0;
    try {
      while (done < bytes.length) {
        done += fs.writeSync(fd, bytes, done);
      }
    } catch {
      streamed = true;
      stream().write(bytes.subarray(done));
    }
  };
}
