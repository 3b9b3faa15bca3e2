/**
 * Just enough of ELF to find and rewrite a file's library search path: the
 * ELF header, the program headers, the PT_DYNAMIC segment and the
 * DT_RPATH / DT_RUNPATH strings in the dynamic string table. ELF64
 * little-endian only (the images are x86_64 and aarch64 Linux); other
 * classes are reported as unsupported, never guessed at.
 *
 * Every offset read from the file is checked against the file's size
 * before it is used: a hostile or truncated file gives an ElfFormatError,
 * never a read outside the file. No fs here: bytes come from a source.
 */

/** Where the parser gets bytes; `read` is only called inside [0, size). */
export interface IByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

/** The file claims to be ELF64 but its structure is broken. */
export class ElfFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfFormatError';
  }
}

export type SearchPathTag = 'RPATH' | 'RUNPATH';

/** One DT_RPATH or DT_RUNPATH string, located in the file. */
export interface ISearchPathString {
  tag: SearchPathTag;
  /** File offset of the string's first byte. */
  fileOffset: number;
  /** Length in bytes, without the terminating NUL. */
  byteLength: number;
  /** The bytes as latin1 (one char per byte, so lengths and offsets agree). */
  value: string;
}

export type ElfInspection =
  | { kind: 'not-elf' }
  | { kind: 'unsupported'; reason: string }
  | {
      kind: 'elf64';
      searchPaths: ISearchPathString[];
      /**
       * File offsets of the other strings the dynamic section names
       * (DT_NEEDED, DT_SONAME, ...): the linker may store a string as the
       * tail of a longer one, and a rewrite must not change those.
       */
      otherStrings: number[];
    };

/** Look at `source` and, if it is a supported ELF file, find its search paths. */
export function inspectElf(source: IByteSource): ElfInspection {
  if (source.size < Private.IDENT_SIZE) {
    return Private.hasMagicPrefix(source)
      ? Private.truncated('ELF identification')
      : { kind: 'not-elf' };
  }
  const ident = source.read(0, Private.IDENT_SIZE);
  if (!Private.MAGIC.every((byte, index) => ident[index] === byte)) {
    return { kind: 'not-elf' };
  }
  const elfClass = ident[4];
  const encoding = ident[5];
  if (elfClass === 1) {
    return { kind: 'unsupported', reason: '32-bit ELF' };
  }
  if (elfClass !== 2) {
    return { kind: 'unsupported', reason: `unknown ELF class ${elfClass}` };
  }
  if (encoding === 2) {
    return { kind: 'unsupported', reason: 'big-endian ELF' };
  }
  if (encoding !== 1) {
    return {
      kind: 'unsupported',
      reason: `unknown ELF data encoding ${encoding}`
    };
  }
  return { kind: 'elf64', ...Private.dynamicStrings(source) };
}

namespace Private {
  export const MAGIC = [0x7f, 0x45, 0x4c, 0x46];
  export const IDENT_SIZE = 16;
  const HEADER_SIZE = 64;
  const PHDR_SIZE = 56;
  const DYN_SIZE = 16;
  const SHDR_SIZE = 64;
  /** e_phnum escape: the real count is in section header 0's sh_info. */
  const PN_XNUM = 0xffff;
  const PT_LOAD = 1;
  const PT_DYNAMIC = 2;
  const DT_NULL = 0n;
  const DT_STRTAB = 5n;
  const DT_STRSZ = 10n;
  const DT_RPATH = 15n;
  const DT_RUNPATH = 29n;
  /** Longer than any real search path; bounds what one string read costs. */
  const MAX_STRING = 65536;

  interface ISegment {
    type: number;
    offset: number;
    vaddr: number;
    filesz: number;
  }

  export function hasMagicPrefix(source: IByteSource): boolean {
    const head = source.read(0, Math.min(source.size, MAGIC.length));
    return (
      head.length === MAGIC.length &&
      MAGIC.every((byte, index) => head[index] === byte)
    );
  }

  export function truncated(what: string): never {
    throw new ElfFormatError(`truncated ELF file (it ends inside the ${what})`);
  }

  interface IDynamicStrings {
    searchPaths: ISearchPathString[];
    otherStrings: number[];
  }

  const NONE: IDynamicStrings = { searchPaths: [], otherStrings: [] };

  /** Dynamic-section tags whose value is an offset into the string table (besides RPATH/RUNPATH). */
  const STRING_TAGS = new Set([
    1n,
    14n,
    0x6ffffef9n,
    0x6ffffefan,
    0x6ffffefbn,
    0x7ffffffdn,
    0x7fffffffn
  ]);

  export function dynamicStrings(source: IByteSource): IDynamicStrings {
    if (source.size < HEADER_SIZE) {
      truncated('ELF header');
    }
    const header = view(source.read(0, HEADER_SIZE));
    const phoff = u64(header, 0x20, 'e_phoff');
    const phentsize = header.getUint16(0x36, true);
    let phnum = header.getUint16(0x38, true);
    if (phnum === 0) {
      return NONE;
    }
    if (phnum === PN_XNUM) {
      phnum = sectionZeroInfo(source, u64(header, 0x28, 'e_shoff'));
    }
    if (phentsize < PHDR_SIZE) {
      throw new ElfFormatError(
        `program header entry size ${phentsize} is smaller than ${PHDR_SIZE}`
      );
    }
    const table = checkedRange(
      source,
      phoff,
      phentsize * phnum,
      'the program header table'
    );
    const segments: ISegment[] = [];
    for (let index = 0; index < phnum; index++) {
      const entry = view(source.read(table + index * phentsize, PHDR_SIZE));
      segments.push({
        type: entry.getUint32(0, true),
        offset: u64(entry, 8, 'p_offset'),
        vaddr: u64(entry, 16, 'p_vaddr'),
        filesz: u64(entry, 32, 'p_filesz')
      });
    }
    const dynamic = segments.find(segment => segment.type === PT_DYNAMIC);
    if (!dynamic) {
      // Statically linked: no search path to repair.
      return NONE;
    }
    return readDynamic(
      source,
      dynamic,
      segments.filter(segment => segment.type === PT_LOAD)
    );
  }

  function readDynamic(
    source: IByteSource,
    dynamic: ISegment,
    loads: ISegment[]
  ): IDynamicStrings {
    const start = checkedRange(
      source,
      dynamic.offset,
      dynamic.filesz,
      'the dynamic section'
    );
    const count = Math.floor(dynamic.filesz / DYN_SIZE);
    let strtab: number | null = null;
    let strsz: number | null = null;
    const wanted: { tag: SearchPathTag; offset: number }[] = [];
    const others: number[] = [];
    for (let index = 0; index < count; index++) {
      const entry = view(source.read(start + index * DYN_SIZE, DYN_SIZE));
      const tag = entry.getBigInt64(0, true);
      if (tag === DT_NULL) {
        break;
      }
      const value = entry.getBigUint64(8, true);
      if (tag === DT_STRTAB) {
        strtab = safeNumber(value, 'DT_STRTAB');
      } else if (tag === DT_STRSZ) {
        strsz = safeNumber(value, 'DT_STRSZ');
      } else if (tag === DT_RPATH || tag === DT_RUNPATH) {
        wanted.push({
          tag: tag === DT_RPATH ? 'RPATH' : 'RUNPATH',
          offset: safeNumber(value, 'a search path offset')
        });
      } else if (STRING_TAGS.has(tag)) {
        others.push(safeNumber(value, 'a dynamic string offset'));
      }
    }
    if (wanted.length === 0) {
      return NONE;
    }
    if (strtab === null) {
      throw new ElfFormatError(
        'the dynamic section has a search path but no string table (DT_STRTAB)'
      );
    }
    const tableOffset = fileOffsetOf(strtab, loads);
    // Without DT_STRSZ the table runs at most to the end of the file.
    const tableEnd = strsz === null ? source.size : tableOffset + strsz;
    if (tableEnd > source.size) {
      throw new ElfFormatError(
        'the dynamic string table runs past the end of the file'
      );
    }
    return {
      searchPaths: wanted.map(({ tag, offset }) =>
        readString(source, tag, tableOffset, tableEnd, offset)
      ),
      otherStrings: others.map(offset => tableOffset + offset)
    };
  }

  /** The file offset of virtual address `address`, through the PT_LOAD segment holding it. */
  function fileOffsetOf(address: number, loads: ISegment[]): number {
    const segment = loads.find(
      load => address >= load.vaddr && address - load.vaddr < load.filesz
    );
    if (!segment) {
      throw new ElfFormatError(
        'the dynamic string table address lies in no loaded segment of the file'
      );
    }
    return segment.offset + (address - segment.vaddr);
  }

  function readString(
    source: IByteSource,
    tag: SearchPathTag,
    tableOffset: number,
    tableEnd: number,
    offset: number
  ): ISearchPathString {
    const fileOffset = tableOffset + offset;
    if (offset < 0 || fileOffset >= tableEnd) {
      throw new ElfFormatError(
        `the ${tag} string lies outside the dynamic string table`
      );
    }
    const bytes = source.read(
      fileOffset,
      Math.min(tableEnd - fileOffset, MAX_STRING + 1)
    );
    const end = bytes.indexOf(0);
    if (end < 0) {
      throw new ElfFormatError(
        `the ${tag} string has no terminating NUL inside the string table`
      );
    }
    let value = '';
    for (let index = 0; index < end; index++) {
      value += String.fromCharCode(bytes[index]);
    }
    return { tag, fileOffset, byteLength: end, value };
  }

  /** sh_info of section header 0, where ELF keeps a program header count >= 0xffff. */
  function sectionZeroInfo(source: IByteSource, shoff: number): number {
    const at = checkedRange(source, shoff, SHDR_SIZE, 'section header 0');
    return view(source.read(at, SHDR_SIZE)).getUint32(0x2c, true);
  }

  /** `offset` when [offset, offset + length) lies inside the file; else a format error. */
  function checkedRange(
    source: IByteSource,
    offset: number,
    length: number,
    what: string
  ): number {
    if (offset > source.size || length > source.size - offset) {
      throw new ElfFormatError(
        `${what} lies outside the file (truncated or corrupt ELF)`
      );
    }
    return offset;
  }

  function u64(data: DataView, at: number, field: string): number {
    return safeNumber(data.getBigUint64(at, true), field);
  }

  function safeNumber(value: bigint, field: string): number {
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ElfFormatError(`${field} is out of range`);
    }
    return Number(value);
  }

  function view(bytes: Uint8Array): DataView {
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}
