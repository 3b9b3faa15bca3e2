/**
 * What the operating system under a root holds: its name (os-release) and
 * its packages (the dpkg status file, or the rpm database through `rpm`).
 */
import * as fs from 'fs';
import type { ImagePackage } from '../../core/imageMetadata';
import {
  osDisplayName,
  packageFieldProblem,
  parseDpkgStatus,
  parseOsRelease,
  parseRpmQuery,
  RPM_QUERY_FORMAT,
  type ISystemPackage
} from '../../core/packageManifest';
import { UserError } from '../errors';
import { runBounded } from './boundedRun';
import { readFileInRoot, resolveInRoot } from './rootPath';
import { isDirectory } from '../fs/probes';

export interface ISystemFacts {
  /** PRETTY_NAME of the root's os-release, empty when it has none. */
  os: string;
  packages: ImagePackage[];
  /** The package databases read: `dpkg`, `rpm`. */
  databases: string[];
  warnings: string[];
}

/** Where the dpkg and rpm databases live inside a root. */
export const DPKG_STATUS = '/var/lib/dpkg/status';
export const RPM_DB_DIRS = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'];

/** `rpm -qa` lists a large image in a few seconds: a minute means it hangs (MLC_RPM_TIMEOUT overrides). */
export const RPM_TIMEOUT_SECONDS = 60;

/**
 * Far above any real file: a dpkg status of 150k packages is ~100 MB; an
 * os-release is a few hundred bytes.
 */
const MAX_BYTES = { dpkgStatus: 512 * 1024 * 1024, osRelease: 64 * 1024 };

/** Read the OS facts under `root` (absolute); `env` gives `rpm` its PATH. */
export async function readSystem(
  root: string,
  env: NodeJS.ProcessEnv
): Promise<ISystemFacts> {
  if (!isDirectory(root)) {
    throw new UserError(
      `the root ${root} does not exist or is not a directory`,
      'pass the image root, e.g. --root /'
    );
  }
  const warnings: string[] = [];
  const databases: string[] = [];
  const found: ISystemPackage[] = [];

  const status = Private.read(root, DPKG_STATUS, MAX_BYTES.dpkgStatus);
  if (status !== null) {
    databases.push('dpkg');
    Private.append(found, parseDpkgStatus(status));
  }
  const rpmDb = RPM_DB_DIRS.find(dir => Private.hasEntries(root, dir));
  if (rpmDb !== undefined) {
    const rpm = await Private.queryRpm(root, rpmDb, env);
    if (rpm === null) {
      warnings.push(
        `${root} has an rpm database but no rpm command is on PATH; its packages are not listed`
      );
    } else {
      databases.push('rpm');
      Private.append(found, rpm);
    }
  }

  const packages: ImagePackage[] = [];
  for (const pkg of found) {
    const problem =
      packageFieldProblem('name', pkg.name) ??
      packageFieldProblem('version', pkg.version);
    if (problem) {
      warnings.push(`system package skipped: ${problem}`);
    } else {
      packages.push({ name: pkg.name, version: pkg.version, source: 'system' });
    }
  }
  const osRelease =
    Private.read(root, '/etc/os-release', MAX_BYTES.osRelease) ??
    Private.read(root, '/usr/lib/os-release', MAX_BYTES.osRelease);
  const os = osRelease === null ? '' : osDisplayName(parseOsRelease(osRelease));
  return { os, packages, databases, warnings };
}

namespace Private {
  /** Push one by one: spreading 150k items into push() overflows the call stack. */
  export function append<T>(into: T[], items: readonly T[]): void {
    for (const item of items) {
      into.push(item);
    }
  }

  /** A database directory with something in it; a link loop or unreadable one is none. */
  export function hasEntries(root: string, inRootDir: string): boolean {
    try {
      return fs.readdirSync(resolveInRoot(root, inRootDir)).length > 0;
    } catch {
      return false;
    }
  }

  /** A regular file of the root, or null when missing; anything else is an error. */
  export function read(
    root: string,
    inRootPath: string,
    maxBytes: number
  ): string | null {
    try {
      return readFileInRoot(root, inRootPath, maxBytes);
    } catch (error) {
      throw new UserError(
        `${inRootPath} under ${root} ${(error as Error).message.split('\n')[0]}`,
        'make it a readable regular file, or pass another --root'
      );
    }
  }

  /**
   * `rpm --root R --dbpath DB -qa`, run without a shell; null when there is
   * no rpm command. The database path is explicit because an rpm built for
   * another distribution (Debian's keeps it in ~/.rpmdb) would look elsewhere.
   */
  export async function queryRpm(
    root: string,
    dbPath: string,
    env: NodeJS.ProcessEnv
  ): Promise<ISystemPackage[] | null> {
    const args = [
      '--root',
      root,
      '--dbpath',
      dbPath,
      '-qa',
      '--queryformat',
      RPM_QUERY_FORMAT
    ];
    const seconds = rpmTimeout(env);
    const run = await runBounded('rpm', args, {
      env,
      timeoutMs: seconds * 1000,
      maxOutputBytes: 256 * 1024 * 1024
    });
    switch (run.kind) {
      case 'not-found':
        return null;
      case 'exited':
        if (run.code === 0) {
          return parseRpmQuery(run.stdout);
        }
        throw new UserError(
          `rpm could not read the package database under ${root}: ${firstLine(run.stderr) || `exit ${run.code ?? run.signal}`}`,
          'repair the rpm database or pass another --root',
          1
        );
      case 'timeout':
        throw new UserError(
          `rpm listing the packages under ${root} timed out after ${seconds} s and was stopped`,
          'check that its rpm database is not locked or damaged (or set MLC_RPM_TIMEOUT=SECONDS for a slow disk)',
          1
        );
      case 'too-much-output':
        throw new UserError(
          `rpm printed more than 256 MB for the packages under ${root}`,
          'check its rpm database',
          1
        );
      case 'failed':
        throw new UserError(
          `rpm could not be started (${run.reason})`,
          'check the rpm command on PATH',
          1
        );
    }
  }

  /** MLC_RPM_TIMEOUT (whole seconds, 1 to 3600), else the default. */
  function rpmTimeout(env: NodeJS.ProcessEnv): number {
    const given = env.MLC_RPM_TIMEOUT;
    if (given === undefined || given === '') {
      return RPM_TIMEOUT_SECONDS;
    }
    if (
      !/^[0-9]{1,4}$/.test(given) ||
      Number(given) < 1 ||
      Number(given) > 3600
    ) {
      throw new UserError(
        `MLC_RPM_TIMEOUT ${JSON.stringify(given.slice(0, 40))} is not a number of seconds from 1 to 3600`,
        'unset it or give e.g. MLC_RPM_TIMEOUT=120'
      );
    }
    return Number(given);
  }

  function firstLine(text: string): string {
    return text.trim().split('\n')[0].slice(0, 300);
  }
}
