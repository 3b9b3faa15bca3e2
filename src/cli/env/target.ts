/** Where an env goes: the user's path checked and made absolute. */
import * as fs from 'fs';
import * as path from 'path';
import { envPrefixProblem } from '../../core/problemText';
import { isWithin, normalizeAbsolute } from '../../core/validate';
import { envNameProblem } from '../../core/problemText';
import { UserError } from '../errors';
import { errnoCode } from '../fs/errors';
import { readEnvRecord } from './layout';
import { makeDirectory } from '../fs/entries';
import { removeEmptyDirectory } from '../fs/removeTree';

export interface IEnvTarget {
  /** Absolute, normalised (`..` and `.` resolved lexically, as the shell's `cd` does). */
  prefix: string;
  name: string;
  parent: string;
}

const PATH_HINT = 'give a path for a new directory, e.g. ~/envs/myEnv';

/** Check the user's `raw` path (relative to `cwd`) as a place for an env; no file-system access. */
export function envPathFrom(raw: string, cwd: string): IEnvTarget {
  const prefix = normalizeAbsolute(
    path.isAbsolute(raw) ? raw : `${cwd}/${raw}`
  );
  // The whole prefix, the working directory included: a `:` anywhere in it
  // breaks PATH on activation.
  const problem = envPrefixProblem(raw) ?? envPrefixProblem(prefix);
  if (problem) {
    throw new UserError(`invalid env path: ${problem}`, PATH_HINT);
  }
  if (prefix === '/') {
    throw new UserError('the env path is the root directory /', PATH_HINT);
  }
  const name = path.posix.basename(prefix);
  const nameProblem = envNameProblem(name);
  if (nameProblem) {
    throw new UserError(`invalid env name: ${nameProblem}`, PATH_HINT);
  }
  return { prefix, name, parent: path.posix.dirname(prefix) };
}

/**
 * Check that `target` can be created over `basePhysical` (symlinks resolved):
 * the target is absent or an empty directory, and neither lies inside the
 * other. Missing parent directories are allowed (as `python -m venv` makes
 * them): returned, outermost first, for the caller to make once every check
 * passed; none of them may lie inside the base.
 */
export function assertCreatable(
  target: IEnvTarget,
  basePhysical: string
): string[] {
  const missing: string[] = [];
  let existing = target.parent;
  while (!Private.present(existing) && existing !== '/') {
    missing.unshift(existing);
    existing = path.posix.dirname(existing);
  }
  let existingPhysical: string;
  try {
    existingPhysical = fs.realpathSync(existing);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
      throw new UserError(
        `the directory ${existing} does not exist or is not a directory`,
        'choose another location'
      );
    }
    throw error;
  }
  if (!fs.statSync(existingPhysical).isDirectory()) {
    throw new UserError(
      `${existing} is not a directory`,
      'choose another location'
    );
  }
  const rest = target.parent.slice(existing.length).replace(/^\//, '');
  const parentPhysical = rest
    ? `${existingPhysical === '/' ? '' : existingPhysical}/${rest}`
    : existingPhysical;
  const physical = `${parentPhysical === '/' ? '' : parentPhysical}/${target.name}`;
  assertBaseFits(target.prefix, physical, basePhysical);
  const outer = enclosingEnv(existingPhysical);
  if (outer) {
    // `mlc env remove` of the outer one would take this one with it.
    throw new UserError(
      `the env path ${target.prefix} lies inside the env ${outer}`,
      'choose a location outside every env, e.g. beside it'
    );
  }
  if (missing.length) {
    return missing;
  }
  const stat = fs.lstatSync(target.prefix, { throwIfNoEntry: false });
  if (!stat) {
    return missing;
  }
  if (stat.isSymbolicLink()) {
    throw new UserError(
      `${target.prefix} already exists as a symbolic link`,
      'remove it or choose another path'
    );
  }
  if (!stat.isDirectory()) {
    throw new UserError(
      `${target.prefix} already exists and is not a directory`,
      'remove it or choose another path'
    );
  }
  if (fs.readdirSync(target.prefix).length > 0) {
    const record = readEnvRecord(target.prefix);
    if (record.ok && record.value.prefix === target.prefix) {
      // E.g. a create killed after the rename, before its kernel was registered.
      throw new UserError(
        `${target.prefix} already exists and is not empty: it holds an mlc env`,
        `if its kernel is missing (an interrupted create), run: mlc env check ${target.prefix} --fix; to start over: mlc env remove ${target.prefix}`
      );
    }
    throw new UserError(
      `${target.prefix} already exists and is not empty`,
      'choose another path, or remove the old env with: mlc env remove PATH'
    );
  }
  return missing;
}

/**
 * The base rules, one for `env create` and `env check --fix --base` alike:
 * the env (physical path) neither inside the base nor holding it; `/`
 * holds everything, so it is never a base.
 */
export function assertBaseFits(
  envPrefix: string,
  envPhysical: string,
  basePhysical: string
): void {
  if (isWithin(envPhysical, basePhysical)) {
    throw new UserError(
      `the env path ${envPrefix} is inside the base ${basePhysical}`,
      'the base is read-only: choose a location outside it, e.g. in your home directory'
    );
  }
  if (isWithin(basePhysical, envPhysical)) {
    throw new UserError(
      `the env path ${envPrefix} contains the base ${basePhysical}`,
      PATH_HINT
    );
  }
}

/** `dir` itself or its nearest ancestor that holds an env record (physical paths), or null. */
export function enclosingEnv(dir: string): string | null {
  for (let current = dir; ; current = path.posix.dirname(current)) {
    if (readEnvRecord(current).ok) {
      return current;
    }
    if (current === '/') {
      return null;
    }
  }
}

/**
 * The first env found below `envDir` (its record read, no link followed),
 * or null: removing `envDir` would remove it too.
 */
export function nestedEnv(envDir: string): string | null {
  const pending = [envDir];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) {
        continue;
      }
      const child = `${dir}/${entry.name}`;
      if (readEnvRecord(child).ok) {
        return child;
      }
      pending.push(child);
    }
  }
  return null;
}

/** Make the missing parents (outermost first); returns those made, for `removeMadeParents`. */
export function makeParents(missing: string[]): string[] {
  const made: string[] = [];
  try {
    for (const dir of missing) {
      makeDirectory(dir);
      made.push(dir);
    }
  } catch (error) {
    removeMadeParents(made);
    throw error;
  }
  return made;
}

/** Remove parents this create made (innermost first; rmdir: only if still empty, never through a link). */
export function removeMadeParents(made: string[]): void {
  for (const dir of [...made].reverse()) {
    try {
      removeEmptyDirectory(dir);
    } catch {
      return;
    }
  }
}

namespace Private {
  /** Whether something is at `file` (a file on the way, ENOTDIR, counts as nothing there). */
  export function present(file: string): boolean {
    try {
      return fs.lstatSync(file, { throwIfNoEntry: false }) !== undefined;
    } catch (error) {
      if (errnoCode(error) === 'ENOTDIR') {
        return false;
      }
      throw error;
    }
  }
}
