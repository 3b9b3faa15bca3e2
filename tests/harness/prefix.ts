/**
 * The shared image prefix of the integration tests: a relocatable CPython with
 * ipykernel and a conda-meta/, like /opt/conda in the images, made by
 * scripts/make-python-prefix.sh once per machine and reused by every test file.
 *
 * It is root-owned, world-readable and not world-writable, as on CVMFS: tests
 * that need to write into an image prefix copy it first (see imageCopy.ts).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { pythonMinor, type PythonMinor } from '../../src/core/kernelspec';
import { runCommand } from './mlc';
import { REPO } from './paths';

/** Where the prefix is built. */
export const TEST_PREFIX = path.join(REPO, 'build', 'test-prefix');

/** The script that builds it. */
export const MAKE_PREFIX_SCRIPT = path.join(
  REPO,
  'scripts',
  'make-python-prefix.sh'
);

/** Written beside the prefix after a successful build (not inside: tests checksum the prefix). */
const MARKER = `${TEST_PREFIX}.ready.json`;

/** Held (a directory: mkdir is atomic) while one process checks or builds. */
const LOCK = `${TEST_PREFIX}.lock`;

/** What the marker records. */
export interface ITestPrefixInfo {
  prefix: string;
  /** `X.Y` of the prefix's Python. */
  python: string;
  /** sha256 of make-python-prefix.sh that built it: a changed recipe means a rebuild. */
  scriptSha256: string;
}

/**
 * The image prefix, built now if it is missing, incomplete or made by an
 * older make-python-prefix.sh. Safe to call from several jest processes at
 * once: one builds while the others wait on the lock, then all reuse it.
 */
export function testImagePrefix(): string {
  return testImagePrefixInfo().prefix;
}

/** As testImagePrefix(), with the prefix's Python version. */
export function testImagePrefixInfo(): ITestPrefixInfo {
  const ready = Private.readMarker();
  if (ready) {
    return ready;
  }
  return withPrefixLock(() => Private.readMarker() ?? Private.build());
}

/** A writable copy of the shared test prefix, with its Python's `X.Y`. */
export interface IPrefixCopy {
  prefix: string;
  python: PythonMinor;
}

/**
 * Copy the shared test prefix to `dest` (`cp -a`: modes, links and times
 * kept), under the lock so that no rebuild replaces it halfway through.
 */
export function copyTestPrefix(dest: string): IPrefixCopy {
  const info = testImagePrefixInfo();
  const python = pythonMinor(info.python);
  if (!python) {
    throw new Error(
      `the test prefix reports an unusable Python version '${info.python}'`
    );
  }
  withPrefixLock(() => copyTree(info.prefix, dest));
  return { prefix: dest, python };
}

/** `cp -a SRC DEST` (DEST must not exist; its parent is made). */
export function copyTree(src: string, dest: string): void {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const copied = runCommand('cp', ['-a', '--', src, dest]);
  if (copied.code !== 0) {
    throw new Error(`cp -a ${src} ${dest} failed: ${copied.stderr.trim()}`);
  }
}

/**
 * Run `job` holding the prefix lock, for work on the shared prefix that must
 * not interleave with a build (or with another process doing the same work).
 */
export function withPrefixLock<T>(job: () => T): T {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  Private.acquire();
  try {
    return job();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

namespace Private {
  /** A build may take minutes (pip downloads ipykernel); waiters give up after this. */
  const WAIT_LIMIT_MS = 15 * 60 * 1000;
  const POLL_MS = 500;

  /** The recipe is the script and its Python helper: a change to either means a rebuild. */
  export function scriptHash(): string {
    const helper = path.join(
      path.dirname(MAKE_PREFIX_SCRIPT),
      'make-python-prefix-helper.py'
    );
    return createHash('sha256')
      .update(fs.readFileSync(MAKE_PREFIX_SCRIPT))
      .update(fs.readFileSync(helper))
      .digest('hex');
  }

  /** The marker's facts when the prefix is complete and current, else null. */
  export function readMarker(): ITestPrefixInfo | null {
    let info: ITestPrefixInfo;
    try {
      info = JSON.parse(fs.readFileSync(MARKER, 'utf-8')) as ITestPrefixInfo;
    } catch {
      return null;
    }
    const complete =
      info.prefix === TEST_PREFIX &&
      info.scriptSha256 === scriptHash() &&
      fs.existsSync(path.join(TEST_PREFIX, 'bin', `python${info.python}`)) &&
      fs.existsSync(path.join(TEST_PREFIX, 'conda-meta'));
    return complete ? info : null;
  }

  /** Build (or rebuild with --force) and write the marker last. */
  export function build(): ITestPrefixInfo {
    fs.rmSync(MARKER, { force: true });
    const hash = scriptHash();
    const result = runCommand(
      'bash',
      [MAKE_PREFIX_SCRIPT, TEST_PREFIX, '--packages', 'ipykernel', '--force'],
      {
        timeoutMs: WAIT_LIMIT_MS
      }
    );
    if (result.code !== 0) {
      throw new Error(
        `make-python-prefix.sh failed (exit ${result.code}): ${result.stderr.trim()}`
      );
    }
    const python = runCommand(path.join(TEST_PREFIX, 'bin', 'python3'), [
      '-I',
      '-c',
      'import sys; print("%d.%d" % sys.version_info[:2])'
    ]).stdout.trim();
    const info: ITestPrefixInfo = {
      prefix: TEST_PREFIX,
      python,
      scriptSha256: hash
    };
    const stat = fs.statSync(TEST_PREFIX);
    if (
      stat.uid !== 0 ||
      (stat.mode & 0o002) !== 0 ||
      (stat.mode & 0o005) !== 0o005
    ) {
      throw new Error(
        `${TEST_PREFIX} must be root-owned, world-readable and not world-writable`
      );
    }
    // Write then rename, so a reader never sees half a marker.
    fs.writeFileSync(
      `${MARKER}.${process.pid}`,
      JSON.stringify(info, null, 2) + '\n'
    );
    fs.renameSync(`${MARKER}.${process.pid}`, MARKER);
    return info;
  }

  /** Take the lock, waiting for a live holder and breaking a dead one's. */
  export function acquire(): void {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      try {
        fs.mkdirSync(LOCK);
        fs.writeFileSync(path.join(LOCK, 'owner'), String(process.pid));
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw error;
        }
      }
      if (holderIsDead()) {
        fs.rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `gave up waiting for ${LOCK}; remove it if no test is running`
        );
      }
      sleep(POLL_MS);
    }
  }

  /** True when the lock's owner pid no longer runs (a killed jest run). */
  function holderIsDead(): boolean {
    let pid: number;
    try {
      pid = Number(fs.readFileSync(path.join(LOCK, 'owner'), 'utf-8'));
    } catch {
      // The owner file is written right after mkdir: give a fresh lock time.
      const age = ageMs(LOCK);
      return age !== null && age > 10000;
    }
    if (!Number.isInteger(pid) || pid <= 0) {
      return true;
    }
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }

  function ageMs(file: string): number | null {
    try {
      return Date.now() - fs.statSync(file).mtimeMs;
    } catch {
      return null;
    }
  }

  /** Block this thread (the prefix is needed synchronously by beforeAll hooks). */
  function sleep(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  }
}
