/**
 * What the extended-env tests need around the shared image prefix: a
 * checksum of a base tree (to prove a test never wrote it), root-owned copies
 * of the base for tests that must move or change one, directories the
 * unprivileged test user owns, and tiny wheels built on the spot.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { runCommand, runMlc, type IRunOptions, type IRunResult } from './mlc';
import { makeScratch, VENV } from './paths';
import { copyTree, testImagePrefixInfo } from './prefix';
import { testUser } from './user';

/** What every env test file shares (filled in by its first beforeAll). */
export interface IEnvFixture {
  /** The shared image prefix: root-owned, as on CVMFS. */
  base: string;
  /** Its Python `X.Y`. */
  python: string;
  /** This file's scratch directory (root-owned, world-readable). */
  scratch: string;
  /** The test user's HOME, Jupyter data and environment. */
  places: IUserPlaces;
}

/**
 * Set up an env test file: the image prefix and its checksum, a scratch
 * directory and the test user's places before all tests; after every test
 * the base's checksum must be unchanged (invariant 1: the base is never
 * written); the scratch directory is removed after all.
 */
export function useEnvFixture(label: string): IEnvFixture {
  const fixture = {} as IEnvFixture;
  let checksum = '';
  let cleanup = (): void => undefined;
  beforeAll(() => {
    const info = testImagePrefixInfo();
    const scratch = makeScratch(label);
    cleanup = scratch.cleanup;
    Object.assign(fixture, {
      base: info.prefix,
      python: info.python,
      scratch: scratch.dir,
      places: userPlaces(`${scratch.dir}/user`)
    });
    checksum = treeChecksum(info.prefix);
  });
  afterEach(() => {
    expect(treeChecksum(fixture.base)).toBe(checksum);
  });
  afterAll(() => cleanup());
  return fixture;
}

/**
 * A digest of everything in `root`: each path, its type, mode and owner, a
 * link's target, a file's content (sha256). Symlinks are never followed.
 *
 * A file's content digest is reused while its inode, size, mtime and ctime
 * (nanoseconds) are unchanged: any write changes ctime, which no user can set
 * back, so a reused digest is still the content's (as git's index reasons).
 */
export function treeChecksum(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    const names = fs.readdirSync(dir).sort();
    for (const name of names) {
      const file = `${dir}/${name}`;
      const stat = fs.lstatSync(file, { bigint: true });
      hash.update(
        `${path.relative(root, file)}\0${stat.mode.toString(8)}\0${stat.uid}\0`
      );
      if (stat.isDirectory()) {
        walk(file);
      } else if (stat.isSymbolicLink()) {
        hash.update(`->${fs.readlinkSync(file)}\0`);
      } else {
        hash.update(Private.contentDigest(file, stat));
      }
    }
  };
  walk(root);
  return hash.digest('hex');
}

/** A root-owned, world-readable, not world-writable copy of `base` at `dest` (as on CVMFS). */
export function copyBase(base: string, dest: string): string {
  copyTree(base, dest);
  execFileSync('chmod', ['-R', 'a+rX,go-w', '--', dest]);
  return dest;
}

/** A directory owned by the test user (made with its parents, which root owns). */
export function userDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const user = testUser();
  fs.chownSync(dir, user.uid, user.gid);
  return dir;
}

/** Where a test user's run keeps its HOME and Jupyter data, below `dir`. */
export interface IUserPlaces {
  home: string;
  data: string;
  /** The environment for runs as the test user: nothing of the caller's conda/venv/Jupyter leaks in. */
  env: NodeJS.ProcessEnv;
}

export function userPlaces(dir: string): IUserPlaces {
  const home = userDir(`${dir}/home`);
  const data = userDir(`${dir}/data`);
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    JUPYTER_DATA_DIR: data,
    JUPYTER_CONFIG_DIR: userDir(`${dir}/config`),
    JUPYTER_RUNTIME_DIR: userDir(`${dir}/runtime`),
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    PIP_NO_CACHE_DIR: '1',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    CONDA_PREFIX: '',
    VIRTUAL_ENV: '',
    MLC_INSTALL_PREFIX: '',
    PYTHONPATH: '',
    PYTHONHOME: '',
    APPTAINER_CONTAINER: '',
    SINGULARITY_CONTAINER: '',
    APPTAINER_BIND: '',
    SINGULARITY_BIND: '',
    JUPYTER_PATH: ''
  };
  return { home, data, env };
}

/** `mlc ARGS` as the test user with `places`' environment (plus `extra`). */
export function mlcAsUser(
  args: string[],
  places: IUserPlaces,
  extra: IRunOptions = {}
): IRunResult {
  return runMlc(args, {
    ...extra,
    unprivileged: true,
    env: { ...places.env, ...(extra.env ?? {}) }
  });
}

/** Any program as the test user with `places`' environment. */
export function runAsUser(
  file: string,
  args: string[],
  places: IUserPlaces,
  extra: IRunOptions = {}
): IRunResult {
  return runCommand(file, args, {
    ...extra,
    unprivileged: true,
    env: { ...places.env, ...(extra.env ?? {}) }
  });
}

/** The `data` of the `result` event in `--json` output. */
export function resultData<T>(run: IRunResult): T {
  const line = run.stdout
    .split('\n')
    .find(text => text.includes('"type":"result"'));
  if (!line) {
    throw new Error(
      `no result event (exit ${run.code}).\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`
    );
  }
  return (JSON.parse(line) as { data: T }).data;
}

/**
 * A pure-Python wheel of one module `name` with `__version__ = version`,
 * written with the project venv's zipfile (a wheel is a zip with metadata).
 */
export function buildWheel(
  outDir: string,
  name: string,
  version: string
): string {
  fs.mkdirSync(outDir, { recursive: true });
  const script = `
import base64, hashlib, sys, zipfile
out, name, version = sys.argv[1:4]
dist = f"{name}-{version}.dist-info"
files = {
    f"{name}.py": f'__version__ = "{version}"\\n',
    f"{dist}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
    f"{dist}/WHEEL": "Wheel-Version: 1.0\\nGenerator: mlc-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
def digest(text):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
record = "".join(f"{p},{digest(t)},{len(t.encode())}\\n" for p, t in files.items()) + f"{dist}/RECORD,,\\n"
wheel = f"{out}/{name}-{version}-py3-none-any.whl"
with zipfile.ZipFile(wheel, "w") as z:
    for p, t in files.items():
        z.writestr(p, t)
    z.writestr(f"{dist}/RECORD", record)
print(wheel)
`;
  return execFileSync(path.join(VENV, 'bin', 'python'), [
    '-c',
    script,
    outDir,
    name,
    version
  ])
    .toString()
    .trim();
}

/** Paths below `root` (relative) that are symlinks resolving to directories. */
export function linksToDirectories(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        walk(file);
      } else if (
        entry.isSymbolicLink() &&
        fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()
      ) {
        found.push(path.relative(root, file));
      }
    }
  };
  walk(root);
  return found.sort();
}

namespace Private {
  const digests = new Map<string, { key: string; digest: Buffer }>();

  export function contentDigest(file: string, stat: fs.BigIntStats): Buffer {
    const key = `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
    const known = digests.get(file);
    if (known?.key === key) {
      return known.digest;
    }
    const digest = createHash('sha256').update(fs.readFileSync(file)).digest();
    digests.set(file, { key, digest });
    return digest;
  }
}

/** `message; hint` of the first error event of a `--json` run (throws when there is none). */
export function errorText(run: { stdout: string }): string {
  const line = run.stdout
    .split('\n')
    .find(text => text.includes('"type":"error"'));
  if (!line) {
    throw new Error(`no error event in:\n${run.stdout}`);
  }
  const event = JSON.parse(line) as { message: string; hint?: string };
  return `${event.message}; ${event.hint ?? ''}`;
}

/** Like errorText, and the run printed exactly one error event, its message one line. */
export function onlyErrorLine(stdout: string): string {
  const errors = stdout
    .split('\n')
    .filter(line => line.includes('"type":"error"'));
  expect(errors).toHaveLength(1);
  const event = JSON.parse(errors[0]) as { message: string; hint?: string };
  expect(event.message).not.toContain('\n');
  return `${event.message}; ${event.hint ?? ''}`;
}
