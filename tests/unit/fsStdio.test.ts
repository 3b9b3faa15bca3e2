/**
 * mlc's stdout and stderr writer (src/cli/fs/stdio.ts): whole texts by
 * fs.writeSync, and on a failed write the rest, then everything after, to
 * the stream, in order.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fdWriter } from '../../src/cli/fs/stdio';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlc-stdio-'));
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A stand-in for process.stdout that records what it is given. */
function recordingStream(): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = {
    write: (chunk: string | Uint8Array) => {
      written.push(Buffer.from(chunk).toString('utf8'));
      return true;
    }
  } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('fdWriter', () => {
  it('writes every text whole to the descriptor, without the stream', () => {
    const file = path.join(dir, 'out');
    const fd = fs.openSync(file, 'w');
    const { stream, written } = recordingStream();
    const write = fdWriter(fd, () => stream);
    const big = 'é'.repeat(200000);
    write('one\n');
    write(big);
    write('two\n');
    fs.closeSync(fd);
    expect(fs.readFileSync(file, 'utf8')).toBe(`one\n${big}two\n`);
    expect(written).toEqual([]);
  });

  it('hands a failed write, and all later ones, to the stream in order', () => {
    const file = path.join(dir, 'out');
    const fd = fs.openSync(file, 'w');
    const { stream, written } = recordingStream();
    const write = fdWriter(fd, () => stream);
    write('before\n');
    fs.closeSync(fd); // EBADF from here on
    write('failed\n');
    write('after\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('before\n');
    expect(written).toEqual(['failed\n', 'after\n']);
  });
});
