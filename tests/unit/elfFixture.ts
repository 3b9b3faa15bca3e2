/**
 * Hand-built minimal ELF64 little-endian files for the parser tests: an ELF
 * header, two program headers (one PT_LOAD over the whole file, one
 * PT_DYNAMIC), a dynamic string table and a dynamic section. The layout is
 * the one the ELF specification gives (gABI, "Object Files"); fields the
 * parser ignores are left zero. Not a fixture from any other project.
 */

export interface IElfShape {
  rpath?: string;
  runpath?: string;
  /** EI_CLASS (2 = 64-bit) and EI_DATA (1 = little-endian). */
  elfClass?: number;
  encoding?: number;
  /** Omit DT_STRTAB from the dynamic section. */
  noStrtab?: boolean;
  /** Add this to the PT_DYNAMIC p_offset (pointing it elsewhere). */
  dynamicOffsetShift?: number;
  /** Add this to DT_STRTAB's address. */
  strtabShift?: number;
  /** Add a DT_RUNPATH naming the RPATH string itself (as old linkers wrote both). */
  runpathIsRpath?: boolean;
  /** Add a DT_NEEDED pointing this many bytes into the RPATH string (a tail-merged string). */
  neededInsideRpath?: number;
}

export const LOAD_VADDR = 0x400000;
const HEADER = 64;
const PHDR = 56;

/** The bytes of an ELF file with the given shape. */
export function buildElf(shape: IElfShape = {}): Uint8Array {
  const strings = [''];
  const offsets: Record<string, number> = {};
  let strtabSize = 1;
  for (const key of ['rpath', 'runpath'] as const) {
    const value = shape[key];
    if (value !== undefined) {
      offsets[key] = strtabSize;
      strings.push(value);
      strtabSize += Buffer.byteLength(value, 'latin1') + 1;
    }
  }
  const strtabOffset = HEADER + 2 * PHDR;
  const dynamicOffset = Math.ceil((strtabOffset + strtabSize) / 8) * 8;
  const dynamic: [number, number][] = [];
  if (!shape.noStrtab) {
    dynamic.push([5, LOAD_VADDR + strtabOffset + (shape.strtabShift ?? 0)]);
  }
  dynamic.push([10, strtabSize]);
  if (offsets.rpath !== undefined) {
    dynamic.push([15, offsets.rpath]);
  }
  if (offsets.runpath !== undefined) {
    dynamic.push([29, offsets.runpath]);
  }
  if (shape.runpathIsRpath && offsets.rpath !== undefined) {
    dynamic.push([29, offsets.rpath]);
  }
  if (shape.neededInsideRpath !== undefined && offsets.rpath !== undefined) {
    dynamic.push([1, offsets.rpath + shape.neededInsideRpath]);
  }
  dynamic.push([0, 0]);
  const size = dynamicOffset + dynamic.length * 16;
  const bytes = Buffer.alloc(size);
  bytes.set(
    [0x7f, 0x45, 0x4c, 0x46, shape.elfClass ?? 2, shape.encoding ?? 1, 1],
    0
  );
  bytes.writeUInt16LE(3, 16); // ET_DYN
  bytes.writeUInt16LE(62, 18); // EM_X86_64
  bytes.writeUInt32LE(1, 20);
  bytes.writeBigUInt64LE(BigInt(HEADER), 0x20); // e_phoff
  bytes.writeUInt16LE(HEADER, 0x34);
  bytes.writeUInt16LE(PHDR, 0x36);
  bytes.writeUInt16LE(2, 0x38);
  writePhdr(bytes, HEADER, 1, 0, LOAD_VADDR, size);
  writePhdr(
    bytes,
    HEADER + PHDR,
    2,
    dynamicOffset + (shape.dynamicOffsetShift ?? 0),
    LOAD_VADDR + dynamicOffset,
    dynamic.length * 16
  );
  Buffer.from(strings.join('\0') + '\0', 'latin1').copy(bytes, strtabOffset);
  dynamic.forEach(([tag, value], index) => {
    bytes.writeBigInt64LE(BigInt(tag), dynamicOffset + index * 16);
    bytes.writeBigUInt64LE(BigInt(value), dynamicOffset + index * 16 + 8);
  });
  return new Uint8Array(bytes);
}

/** An in-memory byte source that fails the test on any read outside the bytes. */
export function memorySource(bytes: Uint8Array): {
  size: number;
  read(offset: number, length: number): Uint8Array;
} {
  return {
    size: bytes.length,
    read(offset: number, length: number): Uint8Array {
      if (
        !Number.isInteger(offset) ||
        !Number.isInteger(length) ||
        offset < 0 ||
        length < 0 ||
        offset + length > bytes.length
      ) {
        throw new RangeError(
          `out-of-bounds read: ${length} bytes at ${offset} of ${bytes.length}`
        );
      }
      return bytes.subarray(offset, offset + length);
    }
  };
}

function writePhdr(
  bytes: Buffer,
  at: number,
  type: number,
  offset: number,
  vaddr: number,
  filesz: number
): void {
  bytes.writeUInt32LE(type, at);
  bytes.writeUInt32LE(4, at + 4);
  bytes.writeBigUInt64LE(BigInt(offset), at + 8);
  bytes.writeBigUInt64LE(BigInt(vaddr), at + 16);
  bytes.writeBigUInt64LE(BigInt(vaddr), at + 24);
  bytes.writeBigUInt64LE(BigInt(filesz), at + 32);
  bytes.writeBigUInt64LE(BigInt(filesz), at + 40);
}
