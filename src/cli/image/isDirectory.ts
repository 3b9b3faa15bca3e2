/** Whether `p` is a directory (following links); false when it cannot be read. */
import * as fs from 'fs';

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
