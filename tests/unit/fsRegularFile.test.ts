/**
 * readRegularFile reads into a buffer of the file's own size (not 1 MiB
 * for each file): whatever the size it reports, the whole text comes
 * back, and the limit still holds.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readRegularFile } from '../../src/cli/fs/regularFile';

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlc-regular-file-'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('readRegularFile', () => {
  it.each([0, 1, 4095, 4096, 4097, 70000, (1 << 20) + 3])(
    'reads all of a file of %d bytes',
    size => {
      const file = path.join(dir, `f${size}`);
      const text = Array.from({ length: size }, (_, i) =>
        String.fromCharCode(97 + (i % 26))
      ).join('');
      fs.writeFileSync(file, text);
      expect(readRegularFile(file, { maxBytes: 4 << 20 })).toEqual({
        ok: true,
        text
      });
    }
  );

  it('reads a file whose size says 0 but which has text (procfs), to its end', () => {
    const read = readRegularFile('/proc/self/status', { maxBytes: 1 << 20 });
    expect(read.ok).toBe(true);
    if (read.ok) {
      expect(read.text).toMatch(/^Name:/);
      expect(read.text).toMatch(/\nPid:\s+\d+\n/);
    }
  });

  it('refuses a file over the limit, by its size and by what it reads', () => {
    const file = path.join(dir, 'big');
    fs.writeFileSync(file, 'x'.repeat(5000));
    expect(readRegularFile(file, { maxBytes: 4999 })).toMatchObject({
      ok: false,
      missing: false
    });
    const status = readRegularFile('/proc/self/status', { maxBytes: 10 });
    expect(status).toMatchObject({ ok: false, missing: false });
    expect(status.ok === false && status.reason).toMatch(/too large/);
  });
});
