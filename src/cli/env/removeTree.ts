/**
 * Remove a directory tree without ever following a symlink: links are
 * unlinked, only real directories are entered. An env is full of links into
 * the read-only base; a remover that followed one could reach the base.
 */
import * as fs from 'fs';
import { errnoCode } from './fsErrors';

export function removeTree(dir: string): void {
  try {
    Private.removeEntries(dir);
  } catch (error) {
    // A directory without owner write/search permission (some packages ship
    // 0555 trees): the owner may lift that, then try once more.
    if (errnoCode(error) !== 'EACCES') {
      throw error;
    }
    fs.chmodSync(dir, 0o700);
    Private.removeEntries(dir);
  }
  fs.rmdirSync(dir);
}

namespace Private {
  export function removeEntries(dir: string): void {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const child = `${dir}/${entry.name}`;
      // Dirent types come from readdir (d_type, or lstat where the file
      // system gives none): a symlink to a directory is not isDirectory().
      if (entry.isDirectory()) {
        removeTree(child);
      } else {
        fs.unlinkSync(child);
      }
    }
  }
}
