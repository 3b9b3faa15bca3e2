/**
 * The work directory's state file: read and validated (never sourced), as
 * a bounded regular file (a link is not followed), and written by the
 * staged-write module (fsynced, renamed into place, never through a link).
 */
import * as fs from 'fs';
import * as path from 'path';
import { sha256Hex } from '../../core/sha256';
import {
  parseWorkState,
  WORK_STATE_FILE,
  type WorkState
} from '../../core/runner/workState';
import { UserError } from '../errors';
import { fsUserError } from '../fs/errors';
import { readRegularFile } from '../fs/regularFile';
import { writeFileStaged } from '../fs/stagedWrite';
import { staleStagedFiles } from '../fs/staleStaging';
import { removeEntry } from '../fs/removeTree';

export interface IWorkDir {
  /** The physical path (symlinks resolved). */
  path: string;
  /** sha256 of that path (its UTF-8 bytes), hex. */
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
  // The pure digest: `crypto` would cost every verb here about 5 ms of CPU to load.
  return { path: real, id: sha256Hex(real) };
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
  // A state write killed before its rename: the next verb here cleans it (ours only).
  for (const stale of staleStagedFiles(dir.path)) {
    if (path.basename(stale).startsWith(`.${WORK_STATE_FILE}.mlc-tmp-`)) {
      try {
        removeEntry(stale);
      } catch {
        // Left for the next run.
      }
    }
  }
  const read = readRegularFile(file, {
    maxBytes: 1024 * 1024,
    followLinks: false,
    strictUtf8: true
  });
  if (!read.ok) {
    if (read.missing) {
      return null;
    }
    throw new UserError(
      `${file} ${read.reason}`,
      'move it away and run mlc setup again'
    );
  }
  const text = read.text;
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
  try {
    // The staged-write module: fsynced, renamed into place, never through a link.
    writeFileStaged(file, JSON.stringify(state, null, 2) + '\n');
  } catch (reason) {
    throw fsUserError(reason, `writing ${file}`);
  }
}
