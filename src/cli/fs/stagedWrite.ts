/**
 * The one staged-write module (docs/architecture.md, "Writes"): a file is
 * written to a temporary sibling created exclusively (`wx`: never through a
 * link planted at that name), flushed to disk, then renamed over its target,
 * so a reader sees the old file or the new one, never half of one, and a
 * link at the target is replaced, never written through.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export type FileContent = string | Uint8Array;

export interface IFileToWrite {
  /** Base name inside the directory. */
  name: string;
  text: FileContent;
}

/** Write `content` to `file` in one step, with `mode` (set explicitly, whatever the umask). */
export function writeFileStaged(
  file: string,
  content: FileContent,
  mode = 0o644
): void {
  writeFilesStaged(
    path.dirname(file),
    [{ name: path.basename(file), text: content }],
    mode
  );
}

/**
 * Write `files` into `dir`: each to a temporary sibling first, all renamed
 * over their targets only once every one is written. On failure the
 * temporaries are removed and the error rethrown; the targets are untouched
 * unless a rename itself failed part way.
 */
export function writeFilesStaged(
  dir: string,
  files: readonly IFileToWrite[],
  mode = 0o644
): void {
  const temporaries: string[] = [];
  try {
    for (const file of files) {
      const temporary = path.join(dir, stagingName(file.name));
      Private.writeDurably(temporary, file.text, mode, () =>
        temporaries.push(temporary)
      );
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

/** Create `file` exclusively (it must not exist, not even as a link) and write it durably. */
export function writeNewFile(
  file: string,
  content: FileContent,
  mode = 0o644
): void {
  Private.writeDurably(file, content, mode, () => undefined);
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

/** A hidden temporary name beside `name`, unique to this process and call. */
export function stagingName(name: string): string {
  // Bounded so a long target name still gives a valid file name.
  return `.${name.slice(0, 200)}.mlc-tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

namespace Private {
  /** Create exclusively, write, chmod, fsync; `created` runs once the file exists. */
  export function writeDurably(
    file: string,
    content: FileContent,
    mode: number,
    created: () => void
  ): void {
    const fd = fs.openSync(
      file,
      fs.constants.O_WRONLY |
        fs.constants.O_CREAT |
        fs.constants.O_EXCL |
        fs.constants.O_NOFOLLOW,
      mode
    );
    created();
    try {
      fs.writeFileSync(fd, content);
      fs.fchmodSync(fd, mode);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
