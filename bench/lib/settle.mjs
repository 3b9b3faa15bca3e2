/**
 * Wait for the file system to settle before timing. After a burst of inode
 * churn (anyone's) a symlink on these disks costs 100-500 us for minutes
 * instead of about 20; timing then would measure the disk, not the code.
 */
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { sync } from './processes.mjs';

const LINKS = 300;
const SETTLED_US = 40;
const MAX_WAIT_MS = 150000;

/**
 * Measure what a symlink costs in `targetsDir` (made if missing) and wait,
 * at most 150 s, until it is under 40 us. Returns `{ startUs, endUs, waitedS, settled }`.
 */
export function settleFileSystem(targetsDir, { log }) {
  mkdirSync(targetsDir, { recursive: true });
  const started = Date.now();
  const startUs = Private.symlinkCost(targetsDir);
  let endUs = startUs;
  while (endUs >= SETTLED_US && Date.now() - started < MAX_WAIT_MS) {
    log(`  a symlink costs ${endUs.toFixed(0)} us; waiting for the disk to settle...`);
    Private.sleep(5000);
    endUs = Private.symlinkCost(targetsDir);
  }
  const waitedS = (Date.now() - started) / 1000;
  return { startUs: Math.round(startUs), endUs: Math.round(endUs), waitedS: Math.round(waitedS), settled: endUs < SETTLED_US };
}

/** Helpers (the module's trailing `Private` namespace). */
const Private = {
  /** Microseconds per symlink, over 300 of them in a scratch directory. */
  symlinkCost(targetsDir) {
    const dir = path.join(targetsDir, `settle-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const start = process.hrtime.bigint();
    for (let i = 0; i < LINKS; i++) {
      symlinkSync(`../target-${i}`, path.join(dir, `link-${i}`));
    }
    const us = Number(process.hrtime.bigint() - start) / 1000 / LINKS;
    rmSync(dir, { recursive: true, force: true });
    sync(targetsDir);
    return us;
  },

  sleep(ms) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  }
};
