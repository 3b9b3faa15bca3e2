/**
 * Read-only bind mounts, as CVMFS presents an unpacked image: a fixed
 * mount point per purpose under build/hub/run/, so that a run interrupted
 * before its cleanup is unmounted by the next one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCommand } from '../../harness/mlc';
import { HUB_BUILD } from './images';

/** The CVMFS-like root of the tests' mounts. */
export const CVMFS_ROOT = path.join(HUB_BUILD, 'run', 'cvmfs');

/** Mount `source` read-only at CVMFS_ROOT/`relative` (after unmounting a leftover); returns the mount point. */
export function mountReadOnly(source: string, relative: string): string {
  const target = path.join(CVMFS_ROOT, relative);
  unmount(target);
  fs.mkdirSync(target, { recursive: true });
  const mounted = runCommand('mount', ['--bind', '-o', 'ro', source, target]);
  if (mounted.code !== 0) {
    throw new Error(
      `mount --bind -o ro ${source} ${target}: ${mounted.stderr.trim()}`
    );
  }
  // Older util-linux ignores `ro` on the first bind: remount makes it so.
  runCommand('mount', ['-o', 'remount,bind,ro', target]);
  const options = runCommand('findmnt', [
    '-n',
    '-o',
    'OPTIONS',
    '--target',
    target
  ]).stdout;
  if (!/(^|,)ro(,|$)/.test(options.trim())) {
    unmount(target);
    throw new Error(
      `${target} is not read-only after mounting (options: ${options.trim()})`
    );
  }
  return target;
}

/** Unmount `target` if something is mounted there (bounded; lazy as a last resort). */
export function unmount(target: string): void {
  if (runCommand('mountpoint', ['-q', target]).code !== 0) {
    return;
  }
  if (runCommand('umount', [target], { timeoutMs: 30000 }).code !== 0) {
    runCommand('umount', ['-l', target], { timeoutMs: 30000 });
  }
}
