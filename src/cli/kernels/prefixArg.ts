/** Checks on a `--prefix` (or other directory) argument, with one-line errors. */
import * as fs from 'fs';
import * as path from 'path';
import { normalizeAbsolute } from '../../core/validate';
import { pathProblem } from '../../core/problemText';
import { UserError } from '../errors';

/** `value` as an absolute, normalised path (relative ones against `cwd`); not checked on disk. */
export function absolutePath(
  option: string,
  value: string,
  cwd: string
): string {
  const problem = pathProblem(value);
  if (problem) {
    throw new UserError(
      `${option}: ${problem}`,
      `pass the directory's path to ${option}`
    );
  }
  return normalizeAbsolute(
    path.isAbsolute(value) ? value : path.join(cwd, value)
  );
}

/** As absolutePath, and it must be an existing directory. */
export function existingDirectory(
  option: string,
  value: string,
  cwd: string,
  hint: string
): string {
  const dir = absolutePath(option, value, cwd);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new UserError(`${option} ${dir} does not exist`, hint);
  }
  if (!stat.isDirectory()) {
    throw new UserError(`${option} ${dir} is not a directory`, hint);
  }
  return dir;
}

/** PATH and JUPYTER_PATH split on ':', so a prefix holding one cannot be put on either. */
export function refuseColon(option: string, prefix: string): void {
  if (prefix.includes(':')) {
    throw new UserError(
      `${option} ${prefix} contains ':', which PATH and JUPYTER_PATH cannot hold`,
      "use a path without ':' (e.g. the target of the link)"
    );
  }
}
