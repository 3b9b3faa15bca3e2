/**
 * The one staged-write module (docs/architecture.md, "Writes"): a file is
 * written to a temporary sibling created exclusively (`O_EXCL|O_NOFOLLOW`:
 * never through a link planted at that name), flushed to disk, then renamed
 * over its target, so a reader sees the old file or the new one, never half
 * of one, and a link at the target is replaced, never written through.
 *
 * Given the root the user named (a prefix, a root file system), a write also
 * refuses a link at every directory below that root (`assertNoLinkBelow`):
 * a linked `etc/profile.d` or `etc/conda/activate.d` would send the file
 * outside the tree.
 *
 * `StagedWrite` is the transaction of `mlc kernels install`: several kernel
 * directories and files, all staged first and committed together.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors';
import { makeDirectories, makeDirectory, moveEntry } from './entries';
import { errnoCode, errnoWords } from './errors';
import { exists, isProcessAlive, isWritableDirectory } from './probes';
import { NotRealDirectoryError, assertRealPath } from './realDir';
import { removeEntry, removeTree } from './removeTree';
import { randomHex } from './random';

export type FileContent = string | Uint8Array;

export interface IFileToWrite {
  /** Base name inside the directory. */
  name: string;
  text: FileContent;
}

/** Who owns a written file and its mode (a file replaced in place keeps its own). */
export interface IFileKeep {
  mode: number;
  uid: number;
  gid: number;
}

/**
 * Write `content` to `file` in one step, with `mode` (set explicitly, whatever
 * the umask). With `root`, no directory below it on the way may be a link.
 */
export function writeFileStaged(
  file: string,
  content: FileContent,
  mode: number | IFileKeep = 0o644,
  root?: string
): void {
  writeFilesStaged(
    path.dirname(file),
    [{ name: path.basename(file), text: content }],
    mode,
    root
  );
}

/**
 * Write `files` into `dir`: each to a temporary sibling first, all renamed
 * over their targets only once every one is written. On failure the
 * temporaries are removed and the error rethrown; the targets are untouched
 * unless a rename itself failed part way. With `root`, refuse
 * (NotRealDirectoryError) when a directory from below `root` down to `dir`
 * is a link, checked before and again after staging.
 */
export function writeFilesStaged(
  dir: string,
  files: readonly IFileToWrite[],
  mode: number | IFileKeep = 0o644,
  root?: string
): void {
  if (root !== undefined) {
    assertNoLinkBelow(root, dir);
  }
  const temporaries: string[] = [];
  try {
    for (const file of files) {
      const temporary = path.join(dir, stagingName(file.name));
      Private.writeDurably(temporary, file.text, mode, () =>
        temporaries.push(temporary)
      );
    }
    if (root !== undefined) {
      assertNoLinkBelow(root, dir);
    }
    files.forEach((file, index) => {
      fs.renameSync(temporaries[index], path.join(dir, file.name));
      temporaries[index] = '';
    });
  } finally {
    for (const temporary of temporaries) {
      if (temporary) {
        fs.rmSync(temporary, { force: true });
      }
    }
  }
}

/**
 * Create `file` exclusively (it must not exist, not even as a link) and
 * write it durably. `durable: false` skips the fsync, for the many files of
 * a tree this process made and publishes whole by one rename (an env being
 * built: a per-file fsync made `mlc env create` five times slower).
 */
export function writeNewFile(
  file: string,
  content: FileContent,
  mode = 0o644,
  options: { durable?: boolean } = {}
): void {
  Private.writeDurably(file, content, mode, () => undefined, options.durable);
}

/** Make or replace the symlink `file` -> `target` in one step (a link renamed over it). */
export function replaceSymlink(target: string, file: string): void {
  const temporary = path.join(
    path.dirname(file),
    stagingName(path.basename(file))
  );
  fs.symlinkSync(target, temporary);
  try {
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** A byte range to overwrite in place (same size). */
export interface IBytePatch {
  offset: number;
  bytes: Uint8Array;
}

/**
 * Rewrite byte ranges of the regular file `file`: copy it to a temporary
 * sibling, patch the copy, give it the original's mode and owner, fsync, let
 * `verify` check it (it throws to abandon), rename it over the original.
 * The rename also breaks a hard link to a package cache, so the cache is
 * never changed.
 */
export function patchFileStaged(
  file: string,
  patches: readonly IBytePatch[],
  verify: (copy: string) => void
): void {
  const original = fs.lstatSync(file);
  if (!original.isFile()) {
    // Replaced by a link or something else since it was inspected: never write through it.
    throw new UserError(
      `${file} is no longer a regular file`,
      'it changed while being repaired; run again',
      1
    );
  }
  const temporary = path.join(
    path.dirname(file),
    stagingName(path.basename(file))
  );
  let renamed = false;
  try {
    fs.copyFileSync(file, temporary, fs.constants.COPYFILE_EXCL);
    const fd = fs.openSync(temporary, 'r+');
    try {
      for (const patch of patches) {
        fs.writeSync(fd, patch.bytes, 0, patch.bytes.length, patch.offset);
      }
      if (fs.fstatSync(fd).size !== original.size) {
        throw new Error(`the patched copy of ${file} changed size`);
      }
      Private.keep(fd, original);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    verify(temporary);
    fs.renameSync(temporary, file);
    renamed = true;
    Private.syncDirectory(path.dirname(file));
  } finally {
    if (!renamed) {
      fs.rmSync(temporary, { force: true });
    }
  }
}

/**
 * Refuse (NotRealDirectoryError) when a directory from below `root` (trusted:
 * the user gave it) down to `dir` is a link or a file; absent ones pass (they
 * are made later, by makeDirectories). The resolved path must then be the
 * resolved root plus the same names, which also catches a `..` trick.
 */
export function assertNoLinkBelow(root: string, dir: string): void {
  const rel = path.relative(root, dir);
  if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) {
    throw new Error(`${dir} is not below ${root}`);
  }
  assertRealPath(root, rel);
  let existing = dir;
  while (!exists(existing) && existing !== root) {
    existing = path.dirname(existing);
  }
  const resolved = Private.realpath(existing);
  const resolvedRoot = Private.realpath(root);
  if (
    resolved !== null &&
    resolvedRoot !== null &&
    resolved !== path.join(resolvedRoot, path.relative(root, existing))
  ) {
    throw new NotRealDirectoryError(existing, 'link');
  }
}

/** A hidden temporary name beside `name`, unique to this process and call. */
export function stagingName(name: string): string {
  // Bounded so a long target name still gives a valid file name.
  return `.${name.slice(0, 200)}.mlc-tmp-${process.pid}-${randomHex(4)}`;
}

/**
 * Several kernel directories and files, written so that an interruption
 * never leaves half of one: everything is staged first, then committed.
 *
 * An existing kernel directory is replaced file by file (each file staged
 * beside its target and renamed over it, then the files no longer wanted
 * removed), so the kernel is never missing, not even for a moment. A new
 * one is staged in `<parent>/.mlc-staging-<pid>/` (Jupyter never takes that
 * for a kernel spec: it has no kernel.json of its own) and renamed into
 * place whole. Every target lies below a root the caller gives; no directory
 * below it may be a link.
 */
export class StagedWrite {
  /**
   * Refuse, before anything is written, when a directory below `root` on
   * the way to a target is a link (one line naming it), or when a target's
   * directory cannot be written (or made).
   */
  static check(targets: ReadonlyArray<{ root: string; target: string }>): void {
    for (const { root, target } of targets) {
      Private.attempt(target, () =>
        assertNoLinkBelow(root, path.dirname(target))
      );
      let dir = path.dirname(target);
      while (!exists(dir)) {
        dir = path.dirname(dir);
      }
      Private.attempt(dir, () => {
        if (!fs.statSync(dir).isDirectory()) {
          throw Object.assign(new Error(`${dir} is not a directory`), {
            code: 'ENOTDIR'
          });
        }
        if (!isWritableDirectory(dir)) {
          throw Object.assign(new Error(`${dir} is not writable`), {
            code: 'EACCES'
          });
        }
      });
    }
  }

  /** Stage `files` as the whole content of directory `target` (below `root`). */
  stageDirectory(
    root: string,
    target: string,
    files: ReadonlyArray<readonly [string, FileContent]>
  ): void {
    const parent = path.dirname(target);
    this._ensureDir(root, parent);
    Private.attempt(parent, () => Private.removeStale(parent));
    const stat = fs.lstatSync(target, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      // In place, file by file: the kernel stays whole throughout.
      Private.attempt(target, () => Private.removeStale(target));
      for (const [name, content] of files) {
        this._stageInto(root, target, name, content);
      }
      this._inPlace.push({ root, target, keep: files.map(([name]) => name) });
      return;
    }
    const staging = this._stagingIn(parent);
    const staged = path.join(staging, path.basename(target));
    Private.attempt(target, () => {
      makeDirectory(staged, Private.DIR_MODE, true);
      for (const [name, content] of files) {
        writeNewFile(path.join(staged, name), content, Private.FILE_MODE);
      }
    });
    this._whole.push({ root, target, staged });
  }

  /** Stage `content` to replace file `target` (below `root`). */
  stageFile(root: string, target: string, content: FileContent): void {
    const dir = path.dirname(target);
    this._ensureDir(root, dir);
    Private.attempt(dir, () => Private.removeStale(dir));
    this._stageInto(root, dir, path.basename(target), content);
  }

  /** Rename everything staged into place, then remove what is left over. */
  commit(): void {
    for (const { root, target } of [...this._whole, ...this._files]) {
      Private.attempt(target, () =>
        assertNoLinkBelow(root, path.dirname(target))
      );
    }
    for (const { root, target } of this._inPlace) {
      // Written into: the kernel directory itself must still be a real one.
      Private.attempt(target, () => assertNoLinkBelow(root, target));
    }
    for (const { target, staged } of this._whole) {
      Private.attempt(target, () => Private.replaceEntry(target, staged));
    }
    for (const file of this._files) {
      Private.attempt(file.target, () => moveEntry(file.staged, file.target));
      file.staged = '';
    }
    for (const { target, keep } of this._inPlace) {
      Private.attempt(target, () => Private.removeUnwanted(target, keep));
    }
    this._removeStagings();
    this._reset();
  }

  /** Undo the staging: remove staged content and the directories made for it. */
  abort(): void {
    this._removeStagings();
    for (const file of this._files) {
      if (file.staged) {
        fs.rmSync(file.staged, { force: true });
      }
    }
    for (const dir of [...this._createdDirs].reverse()) {
      if (exists(dir)) {
        removeTree(dir);
      }
    }
    this._reset();
  }

  /** Stage `name` in `dir` as a temporary sibling, renamed over it at commit. */
  private _stageInto(
    root: string,
    dir: string,
    name: string,
    content: FileContent
  ): void {
    const target = path.join(dir, name);
    const staged = path.join(dir, stagingName(name));
    this._files.push({ root, target, staged });
    Private.attempt(target, () =>
      writeNewFile(staged, content, Private.FILE_MODE)
    );
  }

  /** The staging directory in `parent`, made on first use. */
  private _stagingIn(parent: string): string {
    const staging = path.join(parent, `.mlc-staging-${process.pid}`);
    if (!this._stagings.includes(staging)) {
      Private.attempt(parent, () => makeDirectory(staging));
      this._stagings.push(staging);
    }
    return staging;
  }

  /** `mkdir -p` below `root`, refusing links, remembering each directory made (abort removes them). */
  private _ensureDir(root: string, dir: string): void {
    Private.attempt(dir, () =>
      this._createdDirs.push(
        ...makeDirectories(root, dir, Private.DIR_MODE, true)
      )
    );
  }

  private _removeStagings(): void {
    for (const staging of this._stagings) {
      if (exists(staging)) {
        removeTree(staging);
      }
    }
  }

  private _reset(): void {
    this._whole = [];
    this._inPlace = [];
    this._files = [];
    this._stagings = [];
    this._createdDirs = [];
  }

  private _whole: Array<{ root: string; target: string; staged: string }> = [];
  private _inPlace: Array<{ root: string; target: string; keep: string[] }> =
    [];
  private _files: Array<{ root: string; target: string; staged: string }> = [];
  private _stagings: string[] = [];
  private _createdDirs: string[] = [];
}

namespace Private {
  /** Modes set explicitly, whatever the umask: images are read by every user. */
  export const FILE_MODE = 0o644;
  export const DIR_MODE = 0o755;

  /** Create exclusively, write, set the mode (and owner), fsync unless told not to; `created` runs once the file exists. */
  export function writeDurably(
    file: string,
    content: FileContent,
    mode: number | IFileKeep,
    created: () => void,
    durable = true
  ): void {
    const fd = fs.openSync(
      file,
      fs.constants.O_WRONLY |
        fs.constants.O_CREAT |
        fs.constants.O_EXCL |
        fs.constants.O_NOFOLLOW,
      0o600
    );
    created();
    try {
      fs.writeFileSync(fd, content);
      if (typeof mode === 'number') {
        fs.fchmodSync(fd, mode);
      } else {
        keep(fd, mode);
      }
      if (durable) {
        fs.fsyncSync(fd);
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Owner first: chown clears set-id bits, which the chmod then restores. */
  export function keep(fd: number, original: IFileKeep): void {
    const stat = fs.fstatSync(fd);
    if (stat.uid !== original.uid || stat.gid !== original.gid) {
      fs.fchownSync(fd, original.uid, original.gid);
    }
    fs.fchmodSync(fd, original.mode & 0o7777);
  }

  /** Make a rename durable; a file system that cannot fsync a directory is left as it is. */
  export function syncDirectory(dir: string): void {
    let fd: number | null = null;
    try {
      fd = fs.openSync(dir, 'r');
      fs.fsyncSync(fd);
    } catch {
      // Best effort only.
    } finally {
      if (fd !== null) {
        fs.closeSync(fd);
      }
    }
  }

  export function realpath(file: string): string | null {
    try {
      return fs.realpathSync(file);
    } catch {
      return null;
    }
  }

  /**
   * Put the staged directory at `target`, where nothing or a non-directory
   * is (a link to elsewhere is removed as a link, its target untouched).
   */
  export function replaceEntry(target: string, staged: string): void {
    const stat = fs.lstatSync(target, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      // A concurrent install put its own (complete) spec in: keep that one.
      return;
    }
    if (stat) {
      removeEntry(target);
    }
    moveEntry(staged, target);
  }

  /** Remove the entries of kernel directory `dir` that are not in `keep` (nor being staged). */
  export function removeUnwanted(dir: string, keep: readonly string[]): void {
    for (const name of fs.readdirSync(dir)) {
      if (!keep.includes(name) && !STAGED.test(name)) {
        removeEntry(path.join(dir, name));
      }
    }
  }

  const STAGED = /^\..+\.mlc-tmp-(\d+)(-[0-9a-f]+)?$/;
  const STAGING = /^\.mlc-staging-(\d+)$/;

  /** Leftovers of an `mlc` that was killed: staging names carry the pid. */
  export function removeStale(dir: string): void {
    for (const name of fs.readdirSync(dir)) {
      const match = STAGING.exec(name) ?? STAGED.exec(name);
      if (match && !isProcessAlive(Number(match[1]))) {
        removeEntry(path.join(dir, name));
      }
    }
  }

  /** Run a file-system step; turn its failure into one line naming the path. */
  export function attempt(file: string, step: () => void): void {
    try {
      step();
    } catch (error) {
      if (error instanceof UserError) {
        throw error;
      }
      if (error instanceof NotRealDirectoryError) {
        throw new UserError(
          `cannot write ${file}: ${error.message}, and mlc writes nothing through a link`,
          'put a real directory there (or pass a prefix without links below it); nothing was written',
          1
        );
      }
      const code = errnoCode(error);
      throw new UserError(
        `cannot write ${file} (${errnoWords(code) ?? (error as Error).message.split('\n')[0]})`,
        code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'run it as a user who can write the prefix (as in the image build)'
          : 'fix the cause and run it again',
        1
      );
    }
  }
}
