/**
 * Write files into one directory so that a reader sees the old file or the
 * new one, never half of one: each goes to a temporary sibling first and is
 * renamed over the target only when every file of the set has been written.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export interface IFileToWrite {
  /** Base name inside the directory. */
  name: string;
  text: string;
}

/**
 * Write `files` into `dir` with mode 0644 (image files are read by every
 * user, whatever the builder's umask). On failure the temporary files are
 * removed and the error is rethrown; the targets are untouched unless a
 * rename itself failed part way.
 */
export function writeFilesAtomically(dir: string, files: readonly IFileToWrite[]): void {
  const temporaries: string[] = [];
  try {
    for (const file of files) {
      const temporary = path.join(dir, `.${file.name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      Private.writeDurably(temporary, file.text, () => temporaries.push(temporary));
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

namespace Private {
  /** Create exclusively, write, chmod, fsync; `created` runs once the file exists. */
  export function writeDurably(file: string, text: string, created: () => void): void {
    const fd = fs.openSync(file, 'wx', 0o644);
    created();
    try {
      fs.writeFileSync(fd, text, 'utf-8');
      fs.fchmodSync(fd, 0o644);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
