/**
 * `mlc image fix-rpath`: the seed's PyROOT repair done on parsed ELF files.
 * Every candidate under the prefix is inspected first; then each file whose
 * RPATH/RUNPATH holds a build or install location gets the kept entries
 * written over the old string, NUL-padded to its length (the file's size
 * never changes), one file at a time and atomically. A file that cannot be
 * repaired (unreadable, not writable) is reported on one line and left
 * exactly as it was; the others are still repaired. A damaged ELF file (a
 * conda env can ship test data of ELF tools) cannot be loaded, so its search
 * path does not matter: it is noted and left alone, and fails nothing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fsUserError } from '../fs/errors';
import { UserError } from '../errors';
import { fileSource } from './elf/fileSource';
import { ELF_DIRS, findElfCandidates, isSharedObjectName } from './elf/findElf';
import {
  ElfFormatError,
  inspectElf,
  type ElfInspection,
  type ISearchPathString,
  type SearchPathTag
} from './elf/parse';
import { patchFileStaged, type IBytePatch } from '../fs/stagedWrite';
import { DEFAULT_BUILD_DIRS, repairSearchPath } from './elf/searchPathRule';

export interface IFixRpathOptions {
  /** The image env prefix, absolute and existing. */
  prefix: string;
  /** Directories whose entries are dropped; default: the prefix and DEFAULT_BUILD_DIRS. */
  drop?: readonly string[];
  dryRun: boolean;
}

export interface ISearchPathChange {
  file: string;
  tag: SearchPathTag;
  before: string;
  after: string;
  dropped: string[];
}

export interface IFixRpathResult {
  prefix: string;
  dryRun: boolean;
  drop: string[];
  /** ELF64 files inspected. */
  elfFiles: number;
  /** Changes made (or, with dryRun, that would be made). */
  changes: ISearchPathChange[];
  /** Files passed over, with why (32-bit, big-endian, not ELF but named .so). */
  skipped: { file: string; reason: string }[];
  /**
   * Files that start like ELF but cannot be loaded (truncated, damaged
   * headers): no loader reads their search path, so nothing needs repair.
   * They are left as they were and noted, one line each; they do not fail
   * the run.
   */
  unloadable: { file: string; message: string }[];
  /** Files that needed a repair and did not get it: what is wrong, one line each. */
  problems: { file: string; message: string }[];
}

export function fixRpath(options: IFixRpathOptions): IFixRpathResult {
  const drop = [...(options.drop ?? [options.prefix, ...DEFAULT_BUILD_DIRS])];
  const result: IFixRpathResult = {
    prefix: options.prefix,
    dryRun: options.dryRun,
    drop,
    elfFiles: 0,
    changes: [],
    skipped: [],
    unloadable: [],
    problems: []
  };
  let sawElf = false;
  for (const file of findElfCandidates(options.prefix)) {
    let inspection: ElfInspection;
    try {
      inspection = Private.inspectFile(file);
    } catch (error) {
      const entry = { file, message: Private.problemText(error, 'reading') };
      if (error instanceof ElfFormatError) {
        sawElf = true;
        result.unloadable.push(entry);
      } else {
        // Unread, so it may well need the repair: that fails the run.
        result.problems.push(entry);
      }
      continue;
    }
    if (inspection.kind === 'not-elf') {
      if (isSharedObjectName(path.basename(file))) {
        result.skipped.push({ file, reason: 'not an ELF file' });
      }
      continue;
    }
    sawElf = true;
    if (inspection.kind === 'unsupported') {
      result.skipped.push({
        file,
        reason: `${inspection.reason} (only 64-bit little-endian ELF is repaired)`
      });
      continue;
    }
    result.elfFiles++;
    const changes: ISearchPathChange[] = [];
    const patches: IBytePatch[] = [];
    let shared: string | null = null;
    const patched = new Set<number>();
    for (const searchPath of inspection.searchPaths) {
      const repair = repairSearchPath(searchPath.value, drop);
      if (repair.kept === searchPath.value) {
        continue;
      }
      if (Private.sharesText(searchPath, inspection)) {
        shared = `its ${searchPath.tag} string is also the tail of another dynamic string; left as it was`;
        break;
      }
      changes.push({
        file,
        tag: searchPath.tag,
        before: Private.text(searchPath.value),
        after: Private.text(repair.kept),
        dropped: repair.dropped.map(Private.text)
      });
      if (!patched.has(searchPath.fileOffset)) {
        patched.add(searchPath.fileOffset);
        patches.push({
          offset: searchPath.fileOffset,
          bytes: Private.padded(repair.kept, searchPath.byteLength)
        });
      }
    }
    if (shared !== null) {
      result.problems.push({ file, message: shared });
      continue;
    }
    if (changes.length === 0) {
      continue;
    }
    if (!options.dryRun) {
      try {
        Private.checkWritable(file);
        patchFileStaged(file, patches, copy =>
          Private.verify(copy, file, changes)
        );
      } catch (error) {
        result.problems.push({
          file,
          message: Private.problemText(error, 'repairing')
        });
        continue;
      }
    }
    result.changes.push(...changes);
  }
  if (!sawElf) {
    throw new UserError(
      `no ELF files under ${options.prefix} (looked in ${ELF_DIRS.join(', ')})`,
      'pass the image env prefix, e.g. --prefix /opt/conda'
    );
  }
  return result;
}

namespace Private {
  /**
   * Whether another string the dynamic section names starts inside this one
   * (the linker stores a string that is the tail of another only once): a
   * rewrite would change it too. DT_RPATH and DT_RUNPATH naming the very
   * same string (old linkers wrote both) is fine: it gets one repair.
   */
  export function sharesText(
    searchPath: ISearchPathString,
    inspection: { searchPaths: ISearchPathString[]; otherStrings: number[] }
  ): boolean {
    const start = searchPath.fileOffset;
    const end = start + searchPath.byteLength;
    const inside = (offset: number) => offset > start && offset < end;
    return (
      inspection.otherStrings.some(
        offset => offset === start || inside(offset)
      ) || inspection.searchPaths.some(other => inside(other.fileOffset))
    );
  }

  /** Open without following a link, and inspect the file that was opened. */
  export function inspectFile(file: string): ElfInspection {
    const fd = fs.openSync(
      file,
      fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW
    );
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) {
        return { kind: 'not-elf' };
      }
      return inspectElf(fileSource(fd, stat.size));
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The rename needs the directory; keeping the owner needs root or the owner. */
  export function checkWritable(file: string): void {
    const stat = fs.lstatSync(file);
    const uid = process.getuid?.() ?? 0;
    if (uid !== 0 && stat.uid !== uid) {
      throw new UserError(
        `${file} belongs to another user`,
        'run as its owner or as root'
      );
    }
    try {
      fs.accessSync(file, fs.constants.W_OK);
    } catch {
      throw new UserError(
        `${file} is read-only`,
        'make it writable (chmod u+w) or run as its owner'
      );
    }
    try {
      fs.accessSync(path.dirname(file), fs.constants.W_OK | fs.constants.X_OK);
    } catch {
      throw new UserError(
        `${path.dirname(file)} is not writable`,
        'the repaired file is renamed into place there'
      );
    }
  }

  /** Re-read the patched copy: it must hold exactly the new search paths. */
  export function verify(
    copy: string,
    file: string,
    changes: ISearchPathChange[]
  ): void {
    const again = inspectFile(copy);
    const values =
      again.kind === 'elf64' ? again.searchPaths.map(p => text(p.value)) : [];
    for (const change of changes) {
      if (!values.includes(change.after)) {
        throw new Error(
          `the patched copy of ${file} does not read back as ${change.tag}=${change.after}`
        );
      }
    }
  }

  /** `kept` as latin1 bytes followed by NULs up to `length` bytes. */
  export function padded(kept: string, length: number): Uint8Array {
    const bytes = new Uint8Array(length);
    bytes.set(Buffer.from(kept, 'latin1'));
    return bytes;
  }

  /** The parser's latin1 string as the UTF-8 text it most likely is, for people and JSON. */
  export function text(latin1: string): string {
    return Buffer.from(latin1, 'latin1').toString('utf-8');
  }

  export function problemText(error: unknown, action: string): string {
    if (error instanceof ElfFormatError) {
      return error.message;
    }
    if (error instanceof UserError) {
      return error.line;
    }
    return fsUserError(error, action).line;
  }
}
