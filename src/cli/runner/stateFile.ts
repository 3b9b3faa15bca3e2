/**
 * The work directory's state file: read and validated (never sourced),
 * written atomically (a temporary sibling renamed into place, never through
 * a link).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  parseWorkState,
  WORK_STATE_FILE,
  type WorkState
} from '../../core/runner/workState';
import { UserError } from '../errors';

export interface IWorkDir {
  /** The physical path (symlinks resolved). */
  path: string;
  /** sha256 of that path, hex. */
  id: string;
}

export function workDir(cwd: string): IWorkDir {
  let real: string;
  try {
    real = fs.realpathSync(cwd);
  } catch {
    throw new UserError(
      `the work directory ${cwd} cannot be read`,
      'run mlc from an existing directory'
    );
  }
  return { path: real, id: createHash('sha256').update(real).digest('hex') };
}

export function assertWritable(dir: IWorkDir): void {
  try {
    fs.accessSync(dir.path, fs.constants.W_OK);
  } catch {
    throw new UserError(
      `the work directory ${dir.path} is not writable`,
      'run mlc setup in a directory you can write',
      1
    );
  }
}

/** The state of this work dir, null when none; a bad file is an error. */
export function readState(dir: IWorkDir): WorkState | null {
  const file = path.join(dir.path, WORK_STATE_FILE);
  let text: string;
  try {
    const stat = fs.lstatSync(file);
    if (!stat.isFile()) {
      throw new UserError(
        `${file} is not a regular file`,
        'move it away and run mlc setup again'
      );
    }
    if (stat.size > 1024 * 1024) {
      throw new UserError(
        `${file} is larger than 1 MiB`,
        'move it away and run mlc setup again'
      );
    }
    text = fs.readFileSync(file, 'utf-8');
  } catch (reason) {
    if (reason instanceof UserError) {
      throw reason;
    }
    if ((reason as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw new UserError(
      `cannot read ${file} (${(reason as NodeJS.ErrnoException).code})`,
      'check its permissions'
    );
  }
  const parsed = parseWorkState(text);
  if (!parsed.ok) {
    throw new UserError(
      parsed.error,
      `move ${WORK_STATE_FILE} away and run 'mlc setup IMAGE' again`
    );
  }
  // The recorded path is used for mounts and removals: it must be this directory, exactly.
  if (parsed.value.workdirId !== dir.id || parsed.value.workdir !== dir.path) {
    throw new UserError(
      `${file} was written for another directory (${parsed.value.workdir.slice(0, 200)})`,
      `move ${WORK_STATE_FILE} away (or 'mlc setup IMAGE -f' to set this directory up anew)`
    );
  }
  return parsed.value;
}

export function requireState(dir: IWorkDir): WorkState {
  const state = readState(dir);
  if (!state) {
    throw new UserError(
      `nothing is set up in ${dir.path} (no ${WORK_STATE_FILE})`,
      "run 'mlc setup IMAGE' first ('mlc images' lists them)"
    );
  }
  return state;
}

export function writeState(dir: IWorkDir, state: WorkState): void {
  const file = path.join(dir.path, WORK_STATE_FILE);
  const temp = path.join(dir.path, `.${WORK_STATE_FILE}.${process.pid}.tmp`);
  try {
    // 'wx': fails rather than following a link someone planted at the name.
    fs.writeFileSync(temp, JSON.stringify(state, null, 2) + '\n', {
      flag: 'wx',
      mode: 0o644
    });
    fs.renameSync(temp, file);
  } catch (reason) {
    fs.rmSync(temp, { force: true });
    throw new UserError(
      `cannot write ${file} (${(reason as NodeJS.ErrnoException).code})`,
      'check the directory permissions and free space',
      1
    );
  }
}
