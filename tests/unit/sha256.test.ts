/**
 * The pure SHA-256 of src/core gives Node's digest on every input: the
 * padding's edges (55, 56, 63, 64 bytes), multi-byte UTF-8, and any string.
 */
import { createHash } from 'crypto';
import fc from 'fast-check';
import { sha256Hex, sha256HexOfBytes } from '../../src/core/sha256';

function nodeDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('sha256Hex', () => {
  it('gives the FIPS 180-4 digests of "" and "abc"', () => {
    expect(sha256Hex('')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    );
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    );
  });

  it.each([1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 70000])(
    'equals Node on %d bytes',
    size => {
      const text = Array.from({ length: size }, (_, i) =>
        String.fromCharCode(32 + (i % 90))
      ).join('');
      expect(sha256Hex(text)).toBe(nodeDigest(text));
    }
  );

  it('equals Node on any string, multi-byte UTF-8 included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), text => {
        expect(sha256Hex(text)).toBe(nodeDigest(text));
      }),
      { numRuns: 300 }
    );
  });

  it('equals Node on any bytes, invalid UTF-8 included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), bytes => {
        expect(sha256HexOfBytes(bytes)).toBe(
          createHash('sha256').update(bytes).digest('hex')
        );
      }),
      { numRuns: 300 }
    );
    const big = new Uint8Array(4 * 1024 * 1024 + 13).map((_, i) => i * 7);
    expect(sha256HexOfBytes(big)).toBe(
      createHash('sha256').update(big).digest('hex')
    );
  });
});
