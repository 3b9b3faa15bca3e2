/**
 * The env plan: what every env of an image gets from its base, worked out
 * once at image build (`mlc env install-scripts --plan`, when the base is
 * still writable) so that `mlc env create` walks nothing and copies no big
 * file. It holds the mirror's directories and links exactly as the walk
 * (mirror.ts) makes them, and the base's conda-meta records cut down to the
 * paths the env has (the 17 MB of a large image's records are mostly
 * `paths_data` entries for site-packages, include/ and share/, which an env
 * never holds; an installer removing a base package from the env unlinks
 * exactly the listed paths the env has, so nothing it needs is lost).
 *
 * The plan is read from the base like user input: every name and link in it
 * is checked before anything is made, and a plan that is stale (the base
 * changed after it was written), unreadable or invalid is not used: create
 * then walks the base as it does without one.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { PythonMinor } from '../../core/kernelspec';
import { condaRecordParts, type IBaseFacts } from './base';
import { replaceFile } from './layout';
import {
  BASE_RECORDS_FILE,
  BASE_LINK,
  mirrorBase,
  mirrorExclusions,
  type IMirrorStats
} from './mirror';
import {
  copyNewFile,
  makeDirectories,
  makeDirectory,
  makeScratchDirectory,
  makeSymlink
} from '../fs/entries';
import { readRegularFile } from '../fs/regularFile';
import { removeTree } from '../fs/removeTree';
import { writeNewFile } from '../fs/stagedWrite';
import { UserError } from '../errors';

/**
 * Files of the env being built, a hidden temporary published whole by one
 * rename: written without a per-file fsync, as the walk's record copies are.
 */
const IN_NEW_ENV = { durable: false };

/** Where the plan lives in the base: share/ is never mirrored into envs. */
export const PLAN_FILE = 'share/jupyterlab-ml-containers/env-plan.json';

const PLAN_VERSION = 1;

/** What the plan file holds. */
export interface IEnvPlan {
  version: number;
  python: PythonMinor;
  hasPip: boolean;
  /** Base directories the plan was made from (relative; '' the top) and their mtimes: any change makes it stale. */
  watched: [string, number][];
  /** Directories to make, parents first. */
  dirs: string[];
  /** [path, link text], each in a directory of `dirs` or at the top. */
  links: [string, string][];
  /** [file name, text] of the cut-down conda-meta records. */
  records: [string, string][];
}

/**
 * Work out the plan for `base` (by mirroring it into a scratch directory,
 * so it is the walk's result by construction) and write it into the base.
 * Returns the plan file's path.
 */
export function writePlan(base: IBaseFacts): string {
  const scratch = makeScratchDirectory('mlc-plan-');
  let plan: IEnvPlan;
  try {
    mirrorBase(base, scratch, { directories: 0, links: 0, records: 0 });
    const dirs: string[] = [];
    const links: [string, string][] = [];
    Private.scan(scratch, '', dirs, links);
    // What the env has of the base's paths: the mirror's links, and the interpreter links and pip scripts it makes itself.
    const own = [`bin/python${base.python}`, 'bin/python3', 'bin/python'];
    if (base.hasPip) {
      own.push(`bin/pip${base.python}`, 'bin/pip3', 'bin/pip');
    }
    const present = new Set([...links.map(([file]) => file), ...own]);
    const records: [string, string][] = base.condaMeta
      .filter(file => file.endsWith('.json'))
      .map(file => [
        file,
        Private.cutRecord(Private.readRecord(base.prefix, file), present)
      ]);
    plan = {
      version: PLAN_VERSION,
      python: base.python,
      hasPip: base.hasPip,
      watched: ['', 'conda-meta', ...dirs].map(rel => [
        rel,
        Private.mtime(base.prefix, rel)
      ]),
      dirs,
      links,
      records
    };
  } finally {
    // Ours, made above; removed by the one removal module.
    removeTree(scratch);
  }
  const file = `${base.prefix}/${PLAN_FILE}`;
  makeDirectories(base.prefix, path.dirname(file));
  replaceFile(file, JSON.stringify(plan) + '\n', 0o644);
  return file;
}

/** The base's plan when there is one, it is valid and the base has not changed since; else null. */
export function readFreshPlan(base: IBaseFacts): IEnvPlan | null {
  const read = readRegularFile(`${base.prefix}/${PLAN_FILE}`, {
    maxBytes: Private.MAX_PLAN_BYTES,
    followLinks: false
  });
  if (!read.ok) {
    return null;
  }
  let plan: unknown;
  try {
    plan = JSON.parse(read.text);
  } catch {
    return null;
  }
  if (!Private.isValid(plan, base)) {
    return null;
  }
  try {
    for (const [rel, mtime] of plan.watched) {
      const stat = fs.lstatSync(rel ? `${base.prefix}/${rel}` : base.prefix, {
        throwIfNoEntry: false
      });
      if (!stat?.isDirectory() || stat.mtimeMs !== mtime) {
        return null;
      }
    }
  } catch {
    return null; // a part this user cannot reach: the walk decides what to do about it
  }
  return plan;
}

/**
 * Make in the fresh env directory `envDir` what the mirror and the record
 * copy would: the directories, the links, conda-meta with the records, the
 * list of them, the pins and an empty history.
 */
export function applyPlan(
  plan: IEnvPlan,
  base: IBaseFacts,
  envDir: string,
  stats: IMirrorStats
): void {
  for (const dir of plan.dirs) {
    makeDirectory(`${envDir}/${dir}`);
  }
  for (const [file, target] of plan.links) {
    makeSymlink(target, `${envDir}/${file}`);
  }
  stats.directories += plan.dirs.length + 1;
  stats.links += plan.links.length;
  const meta = `${envDir}/conda-meta`;
  makeDirectory(meta);
  for (const [file, text] of plan.records) {
    writeNewFile(`${meta}/${file}`, text, 0o644, IN_NEW_ENV);
  }
  stats.records += plan.records.length;
  const names = plan.records.map(([file]) => file);
  writeNewFile(
    `${meta}/${BASE_RECORDS_FILE}`,
    names.length ? names.join('\n') + '\n' : '',
    0o644,
    IN_NEW_ENV
  );
  if (base.condaMeta.includes('pinned')) {
    copyNewFile(`${base.prefix}/conda-meta/pinned`, `${meta}/pinned`);
  }
  // conda and micromamba take a prefix with conda-meta/history for an env.
  writeNewFile(`${meta}/history`, '', 0o644, IN_NEW_ENV);
}

namespace Private {
  /** A plan lists every directory and link of a base: some MB for a large one. */
  export const MAX_PLAN_BYTES = 256 * 1024 * 1024;
  /** As the image manifest bounds a conda record. */
  const MAX_RECORD_BYTES = 64 * 1024 * 1024;

  /** A conda record of the base, read as a bounded regular file. */
  export function readRecord(prefix: string, file: string): string {
    const where = `${prefix}/conda-meta/${file}`;
    const read = readRegularFile(where, { maxBytes: MAX_RECORD_BYTES });
    if (!read.ok) {
      throw new UserError(
        `cannot read the base's conda record ${where}: it ${read.reason}`,
        'repair the base (the image build) and run the command again'
      );
    }
    return read.text;
  }

  /** Directories (parents first) and links of the scratch mirror. */
  export function scan(
    root: string,
    rel: string,
    dirs: string[],
    links: [string, string][]
  ): void {
    for (const entry of fs.readdirSync(rel ? `${root}/${rel}` : root, {
      withFileTypes: true
    })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        dirs.push(child);
        scan(root, child, dirs, links);
      } else if (entry.isSymbolicLink()) {
        links.push([child, fs.readlinkSync(`${root}/${child}`)]);
      }
    }
  }

  export function mtime(prefix: string, rel: string): number {
    return fs.lstatSync(rel ? `${prefix}/${rel}` : prefix).mtimeMs;
  }

  /**
   * The record with `files` and `paths_data.paths` holding only the paths
   * the env has; every other field as it is.
   */
  export function cutRecord(text: string, present: Set<string>): string {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return text; // not ours to judge: copied whole, as without a plan
    }
    if (Array.isArray(record.files)) {
      record.files = record.files.filter(
        file => typeof file === 'string' && present.has(file)
      );
    }
    const pathsData = record.paths_data as { paths?: unknown } | undefined;
    if (pathsData && Array.isArray(pathsData.paths)) {
      pathsData.paths = pathsData.paths.filter(
        (entry: { _path?: unknown }) =>
          typeof entry?._path === 'string' && present.has(entry._path)
      );
    }
    return JSON.stringify(record);
  }

  /**
   * Whether `plan` has the plan's shape, matches the base's Python, and
   * makes nothing but clean relative paths under directories it makes
   * itself, none of them a path the env writes on its own, with link texts
   * that stay inside the env.
   */
  export function isValid(plan: unknown, base: IBaseFacts): plan is IEnvPlan {
    if (typeof plan !== 'object' || plan === null) {
      return false;
    }
    const p = plan as Partial<IEnvPlan>;
    if (
      p.version !== PLAN_VERSION ||
      p.python !== base.python ||
      p.hasPip !== base.hasPip
    ) {
      return false;
    }
    if (
      !Array.isArray(p.watched) ||
      !Array.isArray(p.dirs) ||
      !Array.isArray(p.links) ||
      !Array.isArray(p.records)
    ) {
      return false;
    }
    const reserved = mirrorExclusions(base.python, base.hasPip);
    const usable = (rel: unknown): rel is string =>
      typeof rel === 'string' &&
      isCleanRelative(rel) &&
      !underReserved(rel, reserved);
    const made = new Set<string>();
    const parentMade = (rel: string): boolean =>
      !rel.includes('/') || made.has(rel.slice(0, rel.lastIndexOf('/')));
    for (const dir of p.dirs) {
      if (!usable(dir) || made.has(dir) || !parentMade(dir)) {
        return false;
      }
      made.add(dir);
    }
    for (const link of p.links) {
      if (
        !Array.isArray(link) ||
        link.length !== 2 ||
        !usable(link[0]) ||
        made.has(link[0]) ||
        !parentMade(link[0])
      ) {
        return false;
      }
      if (typeof link[1] !== 'string' || !staysInside(link[0], link[1])) {
        return false;
      }
      made.add(link[0]);
    }
    for (const record of p.records) {
      if (
        !Array.isArray(record) ||
        record.length !== 2 ||
        typeof record[0] !== 'string' ||
        typeof record[1] !== 'string'
      ) {
        return false;
      }
      if (
        !/^[^/\\\0]+\.json$/.test(record[0]) ||
        record[0].startsWith('.') ||
        condaRecordParts(record[0]) === null
      ) {
        return false;
      }
    }
    return p.watched.every(
      entry =>
        Array.isArray(entry) &&
        typeof entry[1] === 'number' &&
        (entry[0] === '' ||
          (typeof entry[0] === 'string' && isCleanRelative(entry[0])))
    );
  }

  /** Whether `rel` or a directory above it is a path the env writes itself (one set lookup a level). */
  function underReserved(rel: string, reserved: Set<string>): boolean {
    for (
      let end = rel.indexOf('/');
      end !== -1;
      end = rel.indexOf('/', end + 1)
    ) {
      if (reserved.has(rel.slice(0, end))) {
        return true;
      }
    }
    return reserved.has(rel);
  }

  /**
   * Built once: the bundle's target makes esbuild write a `\p` literal as
   * `new RegExp(...)`, which in a function ran again for each of the plan's
   * thousands of paths.
   */
  const CONTROL = /\p{Cc}/u;

  /** `a/b/c`: no empty, `.` or `..` part, no absolute path, no NUL or control character. */
  export function isCleanRelative(rel: string): boolean {
    if (rel.length === 0 || rel.length > 4096 || CONTROL.test(rel)) {
      return false;
    }
    return rel
      .split('/')
      .every(part => part !== '' && part !== '.' && part !== '..');
  }

  /**
   * Whether a link at `file` with text `target` resolves inside the env:
   * relative, `..` only at its start and never above the env's top, and
   * when it names the base link, through it (the mirror's
   * `../baseEnv_dir/...`).
   */
  export function staysInside(file: string, target: string): boolean {
    if (target.length === 0 || target.startsWith('/') || CONTROL.test(target)) {
      return false;
    }
    const parts = file.split('/').slice(0, -1);
    let climbing = true;
    for (const part of target.split('/')) {
      if (part === '' || part === '.') {
        continue;
      }
      if (part === '..') {
        // Only leading: after a name, `..` would climb from wherever that name leads (through baseEnv_dir, out of the base).
        if (!climbing || parts.length === 0) {
          return false;
        }
        parts.pop();
      } else {
        climbing = false;
        parts.push(part);
      }
    }
    return parts.length > 0 && (parts[0] !== BASE_LINK || parts.length > 1);
  }
}
