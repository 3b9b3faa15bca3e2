/**
 * What the operating system under a root holds: its name (os-release) and
 * its packages (the dpkg status file, or the rpm database through `rpm`).
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import { promisify } from 'util';
import type { ImagePackage } from '../../core/imageMetadata';
import {
  osDisplayName,
  packageFieldProblem,
  parseDpkgStatus,
  parseOsRelease,
  parseRpmQuery,
  RPM_QUERY_FORMAT,
  type ISystemPackage
} from '../../core/manifest';
import { UserError } from '../errors';
import { readFileInRoot, resolveInRoot } from './rootPath';
import { isDirectory } from './isDirectory';

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

/** Read the OS facts under `root` (absolute); `env` gives `rpm` its PATH. */
export async function readSystem(root: string, env: NodeJS.ProcessEnv): Promise<ISystemFacts> {
  if (!isDirectory(root)) {
    throw new UserError(`the root ${root} does not exist or is not a directory`, 'pass the image root, e.g. --root /');
  }
  const warnings: string[] = [];
  const databases: string[] = [];
  const found: ISystemPackage[] = [];

  const status = Private.read(root, DPKG_STATUS);
  if (status !== null) {
    databases.push('dpkg');
    found.push(...parseDpkgStatus(status));
  }
  const rpmDb = RPM_DB_DIRS.find(dir => Private.hasEntries(resolveInRoot(root, dir)));
  if (rpmDb !== undefined) {
    const rpm = await Private.queryRpm(root, rpmDb, env);
    if (rpm === null) {
      warnings.push(`${root} has an rpm database but no rpm command is on PATH; its packages are not listed`);
    } else {
      databases.push('rpm');
      found.push(...rpm);
    }
  }

  const packages: ImagePackage[] = [];
  for (const pkg of found) {
    const problem = packageFieldProblem('name', pkg.name) ?? packageFieldProblem('version', pkg.version);
    if (problem) {
      warnings.push(`system package skipped: ${problem}`);
    } else {
      packages.push({ name: pkg.name, version: pkg.version, source: 'system' });
    }
  }
  const osRelease = Private.read(root, '/etc/os-release') ?? Private.read(root, '/usr/lib/os-release');
  const os = osRelease === null ? '' : osDisplayName(parseOsRelease(osRelease));
  return { os, packages, databases, warnings };
}

namespace Private {
  const execFileAsync = promisify(execFile);

  export function hasEntries(dir: string): boolean {
    try {
      return fs.readdirSync(dir).length > 0;
    } catch {
      return false;
    }
  }

  /** A file of the root, or null when missing; unreadable is an error. */
  export function read(root: string, inRootPath: string): string | null {
    try {
      return readFileInRoot(root, inRootPath);
    } catch (error) {
      throw new UserError(
        `cannot read ${inRootPath} under ${root} (${(error as Error).message.split('\n')[0]})`,
        'run as a user who can read it, or pass another --root'
      );
    }
  }

  /**
   * `rpm --root R --dbpath DB -qa`, run without a shell; null when there is
   * no rpm command. The database path is explicit because an rpm built for
   * another distribution (Debian's keeps it in ~/.rpmdb) would look elsewhere.
   */
  export async function queryRpm(root: string, dbPath: string, env: NodeJS.ProcessEnv): Promise<ISystemPackage[] | null> {
    const args = ['--root', root, '--dbpath', dbPath, '-qa', '--queryformat', RPM_QUERY_FORMAT];
    try {
      const { stdout } = await execFileAsync('rpm', args, {
        env,
        encoding: 'utf-8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300000
      });
      return parseRpmQuery(stdout);
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { stderr?: string };
      if (failure.code === 'ENOENT') {
        return null;
      }
      const detail = (failure.stderr ?? '').trim().split('\n')[0] || failure.message.split('\n')[0];
      throw new UserError(
        `rpm could not read the package database under ${root}: ${detail}`,
        'repair the rpm database or pass another --root',
        1
      );
    }
  }
}
