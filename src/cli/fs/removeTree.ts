/**
 * The one way mlc deletes a directory tree (docs/architecture.md, "Removal").
 *
 * A link is unlinked, never entered, at any depth; the top given is never a
 * link; nothing outside the tree is touched, even when the tree changes
 * while it is being removed. Node has no unlinkat/openat, so the walk
 * changes the process's working directory into each directory by its
 * relative name and checks with lstat('.') that it arrived where lstat of
 * the name said (same device and inode): a directory swapped for a link in
 * between is noticed before anything is deleted, and the removal stops.
 * Every delete then names an entry relative to the verified directory, so
 * renaming an ancestor cannot redirect it. Names are handled as bytes, so a
 * name that is not valid UTF-8 is removed as it is.
 */
import * as fs from 'fs';
import * as path from 'path';
import { errnoCode } from './errors';

/** Thrown when the tree changed under the removal in a way that could lead outside it. */
export class TreeChangedError extends Error {
  readonly code = 'ETREECHANGED';
  constructor(readonly path: string) {
    super(
      `${path} changed while it was being removed (a directory was replaced); removal stopped`
    );
  }
}

/** Thrown when the top given is a symbolic link (or not a directory). */
export class NotATreeError extends Error {
  readonly code = 'ENOTATREE';
  constructor(
    readonly path: string,
    readonly kind: 'link' | 'not-directory'
  ) {
    super(
      kind === 'link'
        ? `${path} is a symbolic link; it is not removed as a tree`
        : `${path} is not a directory`
    );
  }
}

/**
 * Remove the directory `top` (absolute) and everything below it, never
 * following a link. Refuses (NotATreeError) when `top` is a link or not a
 * directory.
 */
export function removeTree(top: string): void {
  const stat = Private.treeTop(top);
  // The parent may be reached through links (a HOME that is one); only the
  // tree itself is walked link-free.
  const parent = path.dirname(top);
  const parentStat = fs.statSync(parent);
  const home = process.cwd();
  try {
    Private.enter(parent, parentStat, parent);
    Private.removeDirectory(Buffer.from(path.basename(top)), stat, top);
  } finally {
    process.chdir(home);
  }
}

/**
 * Remove everything below the directory `top` (absolute), keeping `top`
 * itself, never following a link: for a caller with a step to finish before
 * the directory goes (env remove unregisters the kernel in between).
 */
export function emptyTree(top: string): void {
  const stat = Private.treeTop(top);
  const home = process.cwd();
  try {
    // Reached by its path, then checked to be the directory lstat saw.
    Private.enter(top, stat, top);
    Private.removeEntries(top);
  } finally {
    process.chdir(home);
  }
}

/**
 * Remove what sits at `file`: a link or file is unlinked, a directory
 * removed as a tree. Used for a kernel directory, which may be a link (to a
 * project folder, say): then only the link goes.
 */
export function removeEntry(file: string): void {
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stat) {
    return;
  }
  if (stat.isDirectory()) {
    removeTree(file);
  } else {
    fs.unlinkSync(file);
  }
}

namespace Private {
  /** lstat of a tree's top: absolute, not `/`, a directory and not a link. */
  export function treeTop(top: string): fs.Stats {
    if (!path.isAbsolute(top) || path.dirname(top) === top) {
      throw new NotATreeError(top, 'not-directory');
    }
    const stat = fs.lstatSync(top);
    if (stat.isSymbolicLink()) {
      throw new NotATreeError(top, 'link');
    }
    if (!stat.isDirectory()) {
      throw new NotATreeError(top, 'not-directory');
    }
    return stat;
  }

  /** chdir to `where` and check it is the directory `expected` describes. */
  export function enter(
    where: string,
    expected: fs.Stats,
    shown: string
  ): void {
    process.chdir(where);
    const here = fs.lstatSync('.');
    if (here.dev !== expected.dev || here.ino !== expected.ino) {
      throw new TreeChangedError(shown);
    }
  }

  /**
   * Remove directory `name` of the current directory (whose lstat was
   * `stat`), then return to the current directory. `shown` is its path for
   * messages.
   */
  export function removeDirectory(
    name: Buffer,
    stat: fs.Stats,
    shown: string
  ): void {
    const parent = fs.lstatSync('.');
    const enterable = ensureEnterable(name, stat);
    // process.chdir takes no Buffer: a name that is not UTF-8 is first
    // renamed (the rename acts on the entry itself, never through a link).
    const handle = utf8Name(name) ?? renameToAscii(name);
    enter(`./${handle}`, enterable, shown);
    removeEntries(shown);
    enter('..', parent, path.dirname(shown));
    fs.rmdirSync(handle);
  }

  /** Remove every entry of the current directory. */
  export function removeEntries(shown: string): void {
    const entries = fs.readdirSync('.', {
      withFileTypes: true,
      encoding: 'buffer'
    });
    for (const entry of entries) {
      const name = entry.name;
      const child = `${shown}/${name.toString()}`;
      if (!entry.isDirectory()) {
        // unlink never follows a link; it fails on a directory, which is
        // what the entry may have become since readdir.
        try {
          fs.unlinkSync(name);
          continue;
        } catch (error) {
          const code = errnoCode(error);
          if (code === 'ENOENT') {
            continue;
          }
          if (code !== 'EISDIR' && code !== 'EPERM') {
            throw error;
          }
        }
      }
      const stat = fs.lstatSync(name, { throwIfNoEntry: false });
      if (!stat) {
        continue;
      }
      if (stat.isDirectory()) {
        removeDirectory(name, stat, child);
      } else {
        fs.unlinkSync(name);
      }
    }
  }

  /**
   * A directory without owner search/write permission (some packages ship
   * 0555 trees) is made 0700 first, when it is ours. The mode is changed
   * through a descriptor opened without following links, so a swapped-in
   * link's target is never changed. Returns the stat to verify entry with.
   */
  function ensureEnterable(name: Buffer, stat: fs.Stats): fs.Stats {
    if ((stat.mode & 0o700) === 0o700 || stat.uid !== process.getuid?.()) {
      return stat;
    }
    const flags =
      fs.constants.O_RDONLY |
      fs.constants.O_NOFOLLOW |
      fs.constants.O_DIRECTORY;
    let fd: number;
    try {
      fd = fs.openSync(name, flags);
    } catch (error) {
      if (errnoCode(error) === 'ELOOP' || errnoCode(error) === 'ENOTDIR') {
        throw new TreeChangedError(name.toString());
      }
      // Not even readable (0000): lstat again right before chmod.
      const again = fs.lstatSync(name);
      if (
        !again.isDirectory() ||
        again.ino !== stat.ino ||
        again.dev !== stat.dev
      ) {
        throw new TreeChangedError(name.toString());
      }
      fs.chmodSync(name, 0o700);
      return fs.lstatSync(name);
    }
    try {
      const opened = fs.fstatSync(fd);
      if (opened.ino !== stat.ino || opened.dev !== stat.dev) {
        throw new TreeChangedError(name.toString());
      }
      fs.fchmodSync(fd, 0o700);
      return fs.fstatSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  function utf8Name(name: Buffer): string | null {
    const text = name.toString('utf-8');
    return Buffer.from(text, 'utf-8').equals(name) ? text : null;
  }

  function renameToAscii(name: Buffer): string {
    const ascii = `.mlc-rm-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    fs.renameSync(name, ascii);
    return ascii;
  }
}

/** Unlink the file or link `file` (never a directory, never through a link). */
export function removeFile(file: string): void {
  fs.unlinkSync(file);
}

/** Remove `dir` only when it is an empty directory (rmdir: never through a link). */
export function removeEmptyDirectory(dir: string): void {
  fs.rmdirSync(dir);
}
