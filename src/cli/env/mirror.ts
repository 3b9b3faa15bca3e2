/**
 * The mirror: the base's directories that programs and the dynamic linker
 * look things up in (bin/, sbin/, lib/, etc/, ssl/, ...) re-made in the env
 * as real directories holding symlinks to the base's files, never to its
 * directories, so whatever an installer writes into the env lands in the
 * env. Site-packages (lib/pythonX.Y) is never walked: Python reaches it
 * through pyvenv.cfg. include/ and share/ are left out, as the seed's envs
 * leave them out: they are most of what lies outside site-packages, the
 * base's programs find their data through their real location, compilers
 * find the base's headers through its sysconfig and pkg-config files, and
 * an installer writing there makes the directories it needs.
 *
 * Links go through `baseEnv_dir` (`../baseEnv_dir/bin/foo`), so moving the
 * base is one re-pointed link, and the link texts stay short.
 *
 * Speed matters here (the env is made in milliseconds): one readdir a
 * directory (its entry types come with it), one mkdir or symlink an entry,
 * sync calls in tight loops, no stat unless an entry is itself a symlink.
 */
import * as fs from 'fs';
import { ENV_RECORD_FILE } from '../../core/envRecord';
import type { PythonMinor } from '../../core/kernelspec';
import { isWithin } from '../../core/validate';
import type { IBaseFacts } from './base';
import { condaRecordParts } from './base';
import { condaRecordFileProblem } from '../../core/problemText';
import { errnoCode } from '../fs/errors';
import { NotRealDirectoryError } from '../fs/realDir';
import { readRegularFile } from '../fs/regularFile';
import { writeFileStaged, writeNewFile } from '../fs/stagedWrite';
import { CONTAINER_SCRIPT, CREATE_SCRIPT, HOST_SCRIPT } from './scripts';
import { copyNewFile, makeDirectory, makeSymlink } from '../fs/entries';
import { isRealDirectory, resolves } from '../fs/probes';
import { removeFile } from '../fs/removeTree';

/** The link from the env to its base. */
export const BASE_LINK = 'baseEnv_dir';

/** Counts for the create result (and the benchmark). */
export interface IMirrorStats {
  directories: number;
  links: number;
  /** conda-meta records copied from the base. */
  records: number;
}

/**
 * Paths (relative to the prefix) the mirror leaves out: the package cache and
 * other envs, conda-meta (copied record by record), site-packages (reached via
 * pyvenv.cfg), headers and data (include/, share/: see above; Jupyter data is
 * reached via JUPYTER_PATH), and the files the env writes itself.
 */
export function mirrorExclusions(
  python: PythonMinor,
  hasPip: boolean
): Set<string> {
  const excluded = [
    'conda-meta',
    'pkgs',
    'envs',
    'conda-bld',
    'pyvenv.cfg',
    BASE_LINK,
    ENV_RECORD_FILE,
    HOST_SCRIPT,
    CONTAINER_SCRIPT,
    CREATE_SCRIPT,
    'include',
    'share',
    `lib/python${python}`,
    'bin/python',
    'bin/python3',
    `bin/python${python}`
  ];
  if (hasPip) {
    excluded.push('bin/pip', 'bin/pip3', `bin/pip${python}`);
  }
  return new Set(excluded);
}

/**
 * Mirror the base into the fresh directory `envDir`. With `tolerant`, entries
 * the env already has are kept (used by `check --fix` to add what is new).
 */
export function mirrorBase(
  base: IBaseFacts,
  envDir: string,
  stats: IMirrorStats,
  tolerant = false
): void {
  const walker = new Private.Walker(
    base,
    envDir,
    mirrorExclusions(base.python, base.hasPip),
    stats,
    tolerant
  );
  walker.mirrorDir('', 0, base.top);
}

/** The list of conda-meta records the env copied from its base (one file name a line). */
export const BASE_RECORDS_FILE = '.mlc-base-records';

/**
 * Copy the base's conda-meta records into the env, so a conda installer sees
 * the base's packages as installed; copy its pins; start a history of the
 * env's own. Copies, not links: rattler-based installers (pixi, py-rattler)
 * skip symlinked records, and an installer rewriting a record must not reach
 * the base through a link. The copied names are listed in BASE_RECORDS_FILE
 * so `check` can tell them from the env's own records when the base changes.
 *
 * With `tolerant` (check --fix): copies of records the base no longer has
 * are dropped and its new records copied; a package the env installed (or
 * removed) itself is left as the env has it.
 */
export function copyCondaMeta(
  base: IBaseFacts,
  envDir: string,
  stats: IMirrorStats,
  tolerant = false
): void {
  const dir = `${envDir}/conda-meta`;
  const records = base.condaMeta.filter(file => !condaRecordFileProblem(file));
  let listed: string[] = [];
  let present = new Set<string>();
  if (tolerant) {
    // A link or file in the place of conda-meta is never written through
    // (it could lead into the base): docs/architecture.md, "Writes".
    if (!Private.mkdirTolerant(dir)) {
      throw new NotRealDirectoryError(
        dir,
        fs.lstatSync(dir).isSymbolicLink() ? 'link' : 'file'
      );
    }
    const current = new Set(records);
    const before = Private.readCopied(dir);
    for (const file of before) {
      if (
        !current.has(file) &&
        fs.lstatSync(`${dir}/${file}`, { throwIfNoEntry: false })?.isFile()
      ) {
        removeFile(`${dir}/${file}`);
      }
    }
    present = Private.recordNames(dir);
    // A listed copy that is gone (unlinked by an installer) is copied again below.
    listed = before.filter(
      file =>
        current.has(file) && present.has(condaRecordParts(file)?.name ?? file)
    );
  } else {
    makeDirectory(dir);
    stats.directories++;
  }
  const already = new Set(listed);
  for (const file of records) {
    if (
      already.has(file) ||
      present.has(condaRecordParts(file)?.name ?? file)
    ) {
      continue;
    }
    if (
      Private.copyNew(`${base.prefix}/conda-meta/${file}`, `${dir}/${file}`)
    ) {
      listed.push(file);
      stats.records++;
    }
  }
  writeFileStaged(
    `${dir}/${BASE_RECORDS_FILE}`,
    listed.length ? listed.join('\n') + '\n' : ''
  );
  if (base.condaMeta.includes('pinned')) {
    Private.copyNew(`${base.prefix}/conda-meta/pinned`, `${dir}/pinned`);
  }
  if (!fs.lstatSync(`${dir}/history`, { throwIfNoEntry: false })) {
    // conda and micromamba take a prefix with conda-meta/history for an env.
    writeNewFile(`${dir}/history`, '');
  }
}

/**
 * How the env's copies of the base's records differ from the base's records
 * now: copies of records the base no longer has, and base records never
 * copied for a package the env does not have.
 */
export function staleRecords(
  base: IBaseFacts,
  envDir: string
): { stale: string[]; missing: string[] } {
  const dir = `${envDir}/conda-meta`;
  const now = base.condaMeta.filter(file => !condaRecordFileProblem(file));
  const current = new Set(now);
  const listed = Private.readCopied(dir);
  const everCopied = new Set(listed);
  const present = Private.recordNames(dir);
  return {
    stale: listed.filter(
      file => !current.has(file) && fs.existsSync(`${dir}/${file}`)
    ),
    missing: now.filter(
      file =>
        !everCopied.has(file) &&
        !present.has(condaRecordParts(file)?.name ?? file)
    )
  };
}

/** A symlink in the env that no longer resolves. */
export interface IDanglingLink {
  /** Path relative to the env. */
  path: string;
  /** Whether it points into the base through baseEnv_dir (mirrored by mlc). */
  mirrored: boolean;
}

/**
 * The env's dangling symlinks, site-packages aside (pip's business). A
 * missing base makes every mirrored link dangle.
 */
export function danglingLinks(
  envDir: string,
  python: PythonMinor
): IDanglingLink[] {
  const found: IDanglingLink[] = [];
  const skip = new Set([`lib/python${python}`, BASE_LINK]);
  const walk = (rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(rel ? `${envDir}/${rel}` : envDir, {
        withFileTypes: true
      });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (skip.has(child)) {
        continue;
      }
      if (entry.isDirectory()) {
        walk(child);
      } else if (entry.isSymbolicLink() && !resolves(`${envDir}/${child}`)) {
        const target = fs.readlinkSync(`${envDir}/${child}`);
        found.push({
          path: child,
          mirrored: Private.MIRRORED_LINK.test(target)
        });
      }
    }
  };
  walk('');
  return found;
}

namespace Private {
  /** A link made by the mirror: `(../)*baseEnv_dir/...`. */
  export const MIRRORED_LINK = new RegExp(`^(\\.\\./)*${BASE_LINK}/`);

  export class Walker {
    constructor(
      private readonly _base: IBaseFacts,
      private readonly _env: string,
      private readonly _excluded: Set<string>,
      private readonly _stats: IMirrorStats,
      private readonly _tolerant: boolean
    ) {}

    /** Mirror the entries of the base directory `rel` (depth: its number of components). */
    mirrorDir(rel: string, depth: number, entries: fs.Dirent[]): void {
      // What a link in this directory starts with to reach the same place in the base.
      const up = `${'../'.repeat(depth)}${BASE_LINK}/${rel ? rel + '/' : ''}`;
      const envDir = rel ? `${this._env}/${rel}` : this._env;
      for (const entry of entries) {
        const name = entry.name;
        const child = rel ? `${rel}/${name}` : name;
        if (this._excluded.has(child)) {
          continue;
        }
        if (entry.isDirectory()) {
          if (!this._makeDir(`${envDir}/${name}`)) {
            continue;
          }
          const children = this._children(child);
          if (children) {
            this.mirrorDir(child, depth + 1, children);
          }
        } else if (entry.isSymbolicLink()) {
          this._mirrorLink(rel, child, `${envDir}/${name}`, up + name);
        } else if (symlink(up + name, `${envDir}/${name}`, this._tolerant)) {
          this._stats.links++;
        }
      }
    }

    /** bin/ and lib/ were read while inspecting the base: do not read them twice. */
    private _children(rel: string): fs.Dirent[] | null {
      if (rel === 'bin') {
        return this._base.bin;
      }
      if (rel === 'lib') {
        return this._base.lib;
      }
      try {
        return fs.readdirSync(`${this._base.prefix}/${rel}`, {
          withFileTypes: true
        });
      } catch (error) {
        // A directory the user may not read holds nothing they could use.
        if (errnoCode(error) === 'EACCES') {
          return null;
        }
        throw error;
      }
    }

    private _makeDir(dir: string): boolean {
      if (this._tolerant) {
        return mkdirTolerant(dir);
      }
      makeDirectory(dir);
      this._stats.directories++;
      return true;
    }

    /**
     * A symlink in the base. A relative one that stays inside the mirrored
     * part (`libz.so -> libz.so.1`, `lib64 -> lib`) is copied as it is: in
     * the env it resolves to the env's own entry. Any other is linked like a
     * file if it resolves to one, and left out if it is a directory (a link
     * to a base directory is what the mirror must never make) or dangles.
     */
    private _mirrorLink(
      rel: string,
      child: string,
      envPath: string,
      viaBase: string
    ): void {
      const basePath = `${this._base.prefix}/${child}`;
      const target = fs.readlinkSync(basePath);
      if (!target.startsWith('/')) {
        const inside = insideRelative(rel, target);
        if (inside !== null && !this._isExcluded(inside)) {
          if (symlink(target, envPath, this._tolerant)) {
            this._stats.links++;
          }
          return;
        }
      }
      const stat = fs.statSync(basePath, { throwIfNoEntry: false });
      if (
        stat &&
        !stat.isDirectory() &&
        symlink(viaBase, envPath, this._tolerant)
      ) {
        this._stats.links++;
      }
    }

    private _isExcluded(rel: string): boolean {
      for (const excluded of this._excluded) {
        if (isWithin(`/${rel}`, `/${excluded}`)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Where a relative link `target` in base directory `rel` leads, relative to
   * the base; null when it climbs out of the base.
   */
  export function insideRelative(rel: string, target: string): string | null {
    const parts = rel ? rel.split('/') : [];
    for (const part of target.split('/')) {
      if (part === '' || part === '.') {
        continue;
      }
      if (part === '..') {
        if (parts.length === 0) {
          return null;
        }
        parts.pop();
      } else {
        parts.push(part);
      }
    }
    return parts.length ? parts.join('/') : null;
  }

  /** Make a symlink; tolerant: an existing entry is kept (returns false). */
  export function symlink(
    target: string,
    file: string,
    tolerant: boolean
  ): boolean {
    if (!tolerant) {
      makeSymlink(target, file);
      return true;
    }
    try {
      makeSymlink(target, file);
      return true;
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') {
        return false;
      }
      throw error;
    }
  }

  /** Make a directory unless a real one is there; false when something else is. */
  export function mkdirTolerant(dir: string): boolean {
    try {
      makeDirectory(dir);
      return true;
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') {
        throw error;
      }
      return isRealDirectory(dir);
    }
  }

  /**
   * The names listed in BASE_RECORDS_FILE that are conda record file names;
   * any other line (`../x`, a path) is ignored, never used as a path.
   */
  export function readCopied(dir: string): string[] {
    const read = readRegularFile(`${dir}/${BASE_RECORDS_FILE}`, {
      maxBytes: 1 << 24,
      followLinks: false
    });
    if (!read.ok) {
      return [];
    }
    return read.text
      .split('\n')
      .filter(line => line && !condaRecordFileProblem(line));
  }

  /** Copy `from` to the new file `to`; false when `to` exists (even as a link: never written through). */
  export function copyNew(from: string, to: string): boolean {
    try {
      copyNewFile(from, to);
      return true;
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') {
        return false;
      }
      throw error;
    }
  }

  /** Package names of the records in a conda-meta directory. */
  export function recordNames(dir: string): Set<string> {
    const names = new Set<string>();
    let files: string[];
    try {
      files = fs.readdirSync(dir);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') {
        return names;
      }
      throw error;
    }
    for (const file of files) {
      if (file.endsWith('.json')) {
        names.add(condaRecordParts(file)?.name ?? file);
      }
    }
    return names;
  }
}
