/** Write a generated script to a file the user named, whole or not at all. */
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors';
import { errnoCode, errnoWords } from '../fs/errors';
import { writeFileStaged } from '../fs/stagedWrite';

/**
 * Write `text` to `file` (relative to `cwd`): into a temporary sibling,
 * then renamed over it, so a reader never sources half a script. Only a
 * regular file is ever replaced. Returns the absolute path.
 */
export function writeScriptFile(
  file: string,
  text: string,
  cwd: string
): string {
  const target = path.resolve(cwd, file);
  const existing = fs.lstatSync(target, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) {
    throw new UserError(
      `${target} exists and is not a regular file`,
      'pass --output a new file name'
    );
  }
  const dir = path.dirname(target);
  if (!fs.existsSync(dir)) {
    throw new UserError(
      `the directory ${dir} does not exist`,
      'create it first or pass another --output'
    );
  }
  try {
    // The staged-write module: a temporary sibling (O_EXCL, O_NOFOLLOW), fsynced, renamed over.
    writeFileStaged(target, text, 0o644);
  } catch (error) {
    const code = errnoCode(error);
    throw new UserError(
      `cannot write ${target}: ${errnoWords(code) ?? code ?? (error as Error).message}`,
      'pass --output a file you can write',
      1
    );
  }
  return target;
}
