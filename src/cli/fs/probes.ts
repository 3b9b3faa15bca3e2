/**
 * The one set of file probes: yes/no questions about a path that never
 * throw. Each says whether it follows a link at the last component.
 */
import * as fs from 'fs';
import { errnoCode } from './errors';
import { readRegularFile } from './regularFile';

/** Whether anything, even a dangling link, is at `file` (lstat). */
export function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Whether `file` resolves to something (stat, links followed): `test -e`. */
export function resolves(file: string): boolean {
  try {
    fs.statSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Whether `dir` is a directory, following links; false when it cannot be read. */
export function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `dir` is a real directory (lstat: not a link); false when absent. */
export function isRealDirectory(dir: string): boolean {
  try {
    return fs.lstatSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `file` is a regular file, following links. */
export function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Whether `file` is a regular file this process may execute (links followed). */
export function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Whether this process may write into (and search) directory `dir`. */
export function isWritableDirectory(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The lstat of `file` (a link is not followed), or null when nothing is there or it cannot be reached. */
export function entryStat(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file);
  } catch {
    return null;
  }
}

/**
 * Whether process `pid` runs: a zombie (killed, not yet reaped) does not.
 * Used to tell a dead run's leftovers from a live run's work in progress.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
  // /proc/PID/stat: "pid (comm) S ...", S being the state; comm may hold spaces.
  const read = readRegularFile(`/proc/${pid}/stat`, { maxBytes: 1 << 16 });
  if (!read.ok) {
    return true;
  }
  const stat = read.text;
  const state = stat.slice(
    stat.lastIndexOf(')') + 2,
    stat.lastIndexOf(')') + 3
  );
  return state !== 'Z';
}
