/**
 * SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, as lower-case hex. For
 * digests of a few kilobytes computed once per command (the image's
 * package list, a work directory's path, a registry's manifest): loading Node's `crypto` for them costs about 5 ms of CPU
 * at start, more than this takes on such inputs (bench/FINDINGS.md, round
 * two). Equal to `createHash('sha256')` on every input (tests/unit/sha256).
 */
export function sha256Hex(text: string): string {
  return sha256HexOfBytes(new TextEncoder().encode(text));
}

/** The same of bytes as they are (a registry's manifest, hashed as sent). */
export function sha256HexOfBytes(bytes: Uint8Array): string {
  const message = Private.padded(bytes);
  const state = Uint32Array.from(Private.INITIAL);
  const words = new Uint32Array(64);
  for (let block = 0; block < message.length; block += 64) {
    Private.compress(state, words, message, block);
  }
  let hex = '';
  for (const word of state) {
    hex += word.toString(16).padStart(8, '0');
  }
  return hex;
}

namespace Private {
  /** The first 32 bits of the fractional parts of the square roots of the first 8 primes. */
  export const INITIAL = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
    0x1f83d9ab, 0x5be0cd19
  ];

  /** The same of the cube roots of the first 64 primes. */
  const ROUND = Uint32Array.from([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);

  /** The message, a 1 bit, zeros, and its length in bits (64-bit big-endian): whole 64-byte blocks. */
  export function padded(bytes: Uint8Array): Uint8Array {
    const length = Math.ceil((bytes.length + 9) / 64) * 64;
    const out = new Uint8Array(length);
    out.set(bytes);
    out[bytes.length] = 0x80;
    const view = new DataView(out.buffer);
    const bits = bytes.length * 8;
    view.setUint32(length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(length - 4, bits >>> 0);
    return out;
  }

  function rotate(x: number, n: number): number {
    return (x >>> n) | (x << (32 - n));
  }

  /**
   * One 64-byte block at `offset` folded into `state`. Plain indexing, no
   * DataView or destructuring: at start-up this runs in V8's interpreter.
   */
  export function compress(
    state: Uint32Array,
    words: Uint32Array,
    bytes: Uint8Array,
    offset: number
  ): void {
    for (let i = 0, at = offset; i < 16; i++, at += 4) {
      words[i] =
        (bytes[at] << 24) |
        (bytes[at + 1] << 16) |
        (bytes[at + 2] << 8) |
        bytes[at + 3];
    }
    for (let i = 16; i < 64; i++) {
      const w15 = words[i - 15];
      const w2 = words[i - 2];
      const s0 = rotate(w15, 7) ^ rotate(w15, 18) ^ (w15 >>> 3);
      const s1 = rotate(w2, 17) ^ rotate(w2, 19) ^ (w2 >>> 10);
      words[i] = (words[i - 16] + s0 + words[i - 7] + s1) | 0;
    }
    let a = state[0];
    let b = state[1];
    let c = state[2];
    let d = state[3];
    let e = state[4];
    let f = state[5];
    let g = state[6];
    let h = state[7];
    for (let i = 0; i < 64; i++) {
      const s1 = rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25);
      const choice = (e & f) ^ (~e & g);
      const t1 = (h + s1 + choice + ROUND[i] + words[i]) | 0;
      const s0 = rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22);
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (s0 + majority) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
}
