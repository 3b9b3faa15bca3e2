/**
 * randomHex reads the kernel's random device: the asked number of bytes as
 * hex, different each call, and a count out of range refused.
 */
import { randomHex } from '../../src/cli/fs/random';

describe('randomHex', () => {
  it.each([1, 4, 8, 16, 64])('gives %d bytes as lower-case hex', count => {
    expect(randomHex(count)).toMatch(new RegExp(`^[0-9a-f]{${count * 2}}$`));
  });

  it('differs from call to call', () => {
    const seen = new Set(Array.from({ length: 50 }, () => randomHex(16)));
    expect(seen.size).toBe(50);
  });

  it.each([0, -1, 65, 1.5, Number.NaN])('refuses a count of %p', count => {
    expect(() => randomHex(count)).toThrow(RangeError);
  });
});
