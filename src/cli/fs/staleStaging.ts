/**
 * Staged files (stagedWrite.ts's `.<name>.mlc-tmp-<pid>-<hex>`) left by a
 * process that was killed between creating and renaming them: ours by
 * their name, their maker's pid no longer running, and a regular file (a
 * link by that name is nobody's staging, and is left alone).
 */
import * as fs from 'fs';
import { isProcessAlive } from './probes';
import { removeEntry } from './removeTree';

const STAGED = /^\..+\.mlc-tmp-(\d{1,10})-[a-f0-9]{8}$/;

/** Whether the decimal `text` names a process, not this one, that no longer runs. */
export function deadProcess(text: string): boolean {
  if (!/^[1-9]\d{0,9}$/.test(text)) {
    return false;
  }
  const pid = Number(text);
  return pid !== process.pid && !isProcessAlive(pid);
}

/** The stale staged files directly in `dir` (absolute paths). */
export function staleStagedFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter(name => {
      const match = STAGED.exec(name);
      return match !== null && deadProcess(match[1]);
    })
    .map(name => `${dir}/${name}`)
    .filter(file => {
      try {
        return fs.lstatSync(file).isFile();
      } catch {
        return false;
      }
    });
}

/** Remove the stale staged files in `dir`; returns those removed. */
export function removeStaleStagedFiles(dir: string): string[] {
  const removed: string[] = [];
  for (const file of staleStagedFiles(dir)) {
    try {
      removeEntry(file);
      removed.push(file);
    } catch {
      // Left for the next run.
    }
  }
  return removed;
}
