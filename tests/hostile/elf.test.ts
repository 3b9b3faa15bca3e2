/**
 * The ELF parser against arbitrary bytes: whatever a file holds, the parser
 * answers (not ELF, unsupported, search paths) or raises ElfFormatError. It
 * never raises anything else and never reads outside the file (the byte
 * source throws a RangeError on such a read, which fails the property).
 */
import fc from 'fast-check';
import { ElfFormatError, inspectElf } from '../../src/cli/image/elf/parse';
import { buildElf, memorySource } from '../unit/elfFixture';

/** Run the parser; only a result or an ElfFormatError is acceptable. */
function parseOrFormatError(bytes: Uint8Array): void {
  try {
    const result = inspectElf(memorySource(bytes));
    if (result.kind === 'elf64') {
      for (const found of result.searchPaths) {
        expect(found.fileOffset + found.byteLength).toBeLessThan(bytes.length);
        expect(bytes[found.fileOffset + found.byteLength]).toBe(0);
      }
    }
  } catch (error) {
    if (!(error instanceof ElfFormatError)) {
      throw error;
    }
  }
}

describe('inspectElf on hostile bytes', () => {
  it('never throws anything but a format error on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), parseOrFormatError),
      { numRuns: 3000 }
    );
  });

  it('never throws anything but a format error on arbitrary bytes behind an ELF64 LE identification', () => {
    const ident = [0x7f, 0x45, 0x4c, 0x46, 2, 1];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), tail =>
        parseOrFormatError(Uint8Array.from([...ident, ...tail]))
      ),
      { numRuns: 3000 }
    );
  });

  it('survives any corruption of a valid file: flipped bytes, truncation, extension', () => {
    const valid = buildElf({
      rpath: '/opt/conda/lib:$ORIGIN',
      runpath: '$ORIGIN/../lib'
    });
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })),
          { maxLength: 12 }
        ),
        fc.nat(valid.length),
        fc.uint8Array({ maxLength: 64 }),
        (edits, keep, extra) => {
          const bytes = Uint8Array.from(valid);
          for (const [at, value] of edits) {
            bytes[at] = value;
          }
          parseOrFormatError(
            Uint8Array.from([
              ...bytes.subarray(0, keep),
              ...(keep === valid.length ? extra : [])
            ])
          );
        }
      ),
      { numRuns: 5000 }
    );
  });

  it('finds exactly the strings a generated file holds', () => {
    const pathText = fc.stringMatching(/^[A-Za-z0-9$/_.:{}-]{0,80}$/);
    fc.assert(
      fc.property(
        fc.option(pathText, { nil: undefined }),
        fc.option(pathText, { nil: undefined }),
        (rpath, runpath) => {
          const result = inspectElf(memorySource(buildElf({ rpath, runpath })));
          const expected = [
            ...(rpath === undefined ? [] : [['RPATH', rpath]]),
            ...(runpath === undefined ? [] : [['RUNPATH', runpath]])
          ];
          expect(
            result.kind === 'elf64'
              ? result.searchPaths.map(p => [p.tag, p.value])
              : result
          ).toEqual(expected);
        }
      )
    );
  });
});
