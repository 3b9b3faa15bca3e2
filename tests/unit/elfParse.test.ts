/** The ELF search-path parser (src/cli/image/elf/parse.ts) on hand-built files. */
import { ElfFormatError, inspectElf } from '../../src/cli/image/elf/parse';
import { buildElf, memorySource } from './elfFixture';

function inspect(bytes: Uint8Array) {
  return inspectElf(memorySource(bytes));
}

describe('inspectElf', () => {
  it('finds RPATH and RUNPATH with their file offsets and lengths', () => {
    const bytes = buildElf({
      rpath: '/opt/conda/lib:$ORIGIN',
      runpath: '$ORIGIN/../lib'
    });
    const result = inspect(bytes);
    expect(result.kind).toBe('elf64');
    if (result.kind !== 'elf64') {
      return;
    }
    expect(result.searchPaths.map(p => [p.tag, p.value, p.byteLength])).toEqual(
      [
        ['RPATH', '/opt/conda/lib:$ORIGIN', 22],
        ['RUNPATH', '$ORIGIN/../lib', 14]
      ]
    );
    for (const p of result.searchPaths) {
      expect(
        Buffer.from(
          bytes.subarray(p.fileOffset, p.fileOffset + p.byteLength)
        ).toString('latin1')
      ).toBe(p.value);
      expect(bytes[p.fileOffset + p.byteLength]).toBe(0);
    }
  });

  it('reports the offsets of the other dynamic strings (DT_NEEDED)', () => {
    const result = inspect(
      buildElf({ rpath: '/opt/conda/lib:libx.so', neededInsideRpath: 15 })
    );
    expect(
      result.kind === 'elf64' &&
        result.otherStrings.map(o => o - result.searchPaths[0].fileOffset)
    ).toEqual([15]);
  });

  it('reports no search path for an ELF without one', () => {
    expect(inspect(buildElf())).toEqual({
      kind: 'elf64',
      searchPaths: [],
      otherStrings: []
    });
  });

  it('skips 32-bit and big-endian files and says why', () => {
    expect(inspect(buildElf({ rpath: '/x', elfClass: 1 }))).toEqual({
      kind: 'unsupported',
      reason: '32-bit ELF'
    });
    expect(inspect(buildElf({ rpath: '/x', encoding: 2 }))).toEqual({
      kind: 'unsupported',
      reason: 'big-endian ELF'
    });
  });

  it('calls text, empty files and short files not ELF', () => {
    expect(
      inspect(Buffer.from('/* GNU ld script */\nGROUP ( libc.so.6 )\n'))
    ).toEqual({ kind: 'not-elf' });
    expect(inspect(new Uint8Array(0))).toEqual({ kind: 'not-elf' });
    expect(inspect(Buffer.from('ab'))).toEqual({ kind: 'not-elf' });
  });

  it('refuses a truncated ELF with a format error', () => {
    const bytes = buildElf({ rpath: '/opt/conda/lib' });
    for (const length of [10, 40, 100, bytes.length - 8]) {
      expect(() => inspect(bytes.subarray(0, length))).toThrow(ElfFormatError);
    }
  });

  it('refuses a dynamic section or string table pointing outside the file', () => {
    expect(() =>
      inspect(buildElf({ rpath: '/a', dynamicOffsetShift: 1 << 20 }))
    ).toThrow(/dynamic section lies outside the file/);
    expect(() =>
      inspect(buildElf({ rpath: '/a', strtabShift: 1 << 20 }))
    ).toThrow(/no loaded segment/);
    expect(() => inspect(buildElf({ rpath: '/a', noStrtab: true }))).toThrow(
      /no string table/
    );
  });
});
