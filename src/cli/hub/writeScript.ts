/** Write a generated script to a file the user named, whole or not at all. */
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors';

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
  let existing: fs.Stats | null = null;
  try {
    existing = fs.lstatSync(target);
  } catch {
    existing = null;
  }
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
  const temporary = path.join(
    dir,
    `.${path.basename(target)}.mlc-${process.pid}.tmp`
  );
  try {
    fs.writeFileSync(temporary, text, { mode: 0o644, flag: 'wx' });
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new UserError(
      `cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      'pass --output a file you can write',
      1
    );
  }
  return target;
}
