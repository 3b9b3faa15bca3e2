/**
 * What an image env prefix (e.g. /opt/conda) holds: its conda records, the
 * pip installs on top of them and the Python version.
 *
 * Reads only `conda-meta/` and the top level of `site-packages` (one
 * directory listing plus a few small files per dist-info): ml-base has
 * ~60K files, and none of them needs to be visited.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ImagePackage } from '../../core/imageMetadata';
import { pythonMinor } from '../../core/kernelspec';
import {
  condaOwnedDistInfos,
  condaPackage,
  installedByConda,
  packageFieldProblem,
  parseCondaRecord,
  parseCoreMetadata,
  parseDistInfoName,
  type ICondaRecord
} from '../../core/packageManifest';
import { UserError } from '../errors';
import { runBounded, type BoundedRunResult } from './boundedRun';
import { errnoCode } from '../fs/errors';
import { exists, isDirectory, resolves } from '../fs/probes';
import { readRegularFile } from '../fs/regularFile';

/**
 * Far above real files (the largest conda records, with `paths_data`, are a
 * few MB), low enough that a hostile file cannot exhaust memory.
 */
const MAX_BYTES = {
  condaRecord: 64 * 1024 * 1024,
  metadata: 16 * 1024 * 1024,
  installer: 4096
};

export interface IPrefixPackages {
  conda: ImagePackage[];
  pip: ImagePackage[];
  /** Full version of the prefix's Python (`3.11.7`), empty when there is none. */
  python: string;
  /** Things skipped or unknown, one line each. */
  warnings: string[];
}

/** Read the packages of `prefix` (absolute). Throws UserError on bad input. */
export async function readPrefixPackages(
  prefix: string
): Promise<IPrefixPackages> {
  if (!isDirectory(prefix)) {
    throw new UserError(
      `the prefix ${prefix} does not exist or is not a directory`,
      'pass the image env prefix, e.g. --prefix /opt/conda'
    );
  }
  const warnings: string[] = [];
  const condaMeta = path.join(prefix, 'conda-meta');
  const records = exists(condaMeta)
    ? Private.readCondaRecords(condaMeta)
    : null;
  const sitePackages = Private.sitePackagesDirs(prefix);
  if (records === null && sitePackages.length === 0) {
    throw new UserError(
      `${prefix} has neither conda-meta/ nor lib/python3.X/site-packages/, so it is not a Python env prefix`,
      'pass the prefix the image env was installed into, e.g. --prefix /opt/conda'
    );
  }

  let python = records?.find(record => record.name === 'python')?.version ?? '';
  if (!python) {
    python = await Private.askInterpreter(prefix, sitePackages, warnings);
  }
  const minor = python ? pythonMinor(python) : null;
  // With the version known, a stale lib/python3.Y of an older Python is not the env's.
  const readable = minor
    ? sitePackages.filter(
        dir => dir === `python${minor}` || dir === `python${minor}t`
      )
    : sitePackages;

  const owned = condaOwnedDistInfos(records ?? []);
  const pip: ImagePackage[] = [];
  for (const dir of readable) {
    for (const pkg of Private.readPipPackages(
      prefix,
      path.join('lib', dir, 'site-packages'),
      owned,
      warnings
    )) {
      pip.push(pkg);
    }
  }
  return { conda: (records ?? []).map(condaPackage), pip, python, warnings };
}

namespace Private {
  /** The names in a directory of the prefix; unreadable is one clear line. */
  export function listDir(dir: string): string[] {
    try {
      return fs.readdirSync(dir);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOTDIR') {
        throw new UserError(
          `${dir} is not a directory`,
          'repair the prefix or pass another --prefix'
        );
      }
      throw new UserError(
        `cannot read ${dir} (${code ?? 'error'})`,
        'make the prefix readable and run again'
      );
    }
  }

  /** Every `conda-meta/*.json`, in name order; a malformed one is an error naming it. */
  export function readCondaRecords(condaMeta: string): ICondaRecord[] {
    const records: ICondaRecord[] = [];
    for (const name of listDir(condaMeta).sort()) {
      if (!name.endsWith('.json')) {
        continue; // history, pinned, .lock files
      }
      const file = path.join(condaMeta, name);
      if (name.includes('\ufffd')) {
        // readdir decoded the name as UTF-8: the path it gives is not the file's.
        throw new UserError(
          `${condaMeta} holds a record whose file name is not valid UTF-8 (${JSON.stringify(name)})`,
          'rename or remove that file and run again'
        );
      }
      const read = readRegularFile(file, {
        maxBytes: MAX_BYTES.condaRecord,
        strictUtf8: true
      });
      if (!read.ok) {
        throw new UserError(
          `the conda record ${file} ${read.reason}`,
          'repair or remove that file and run again'
        );
      }
      const parsed = parseCondaRecord(read.text, file);
      if (!parsed.ok) {
        throw new UserError(
          `malformed conda record: ${parsed.error}`,
          'repair or remove that file and run again'
        );
      }
      records.push(parsed.value);
    }
    return records;
  }

  /** `python3.X` directories of `lib/` that have a site-packages, newest first. */
  export function sitePackagesDirs(prefix: string): string[] {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(prefix, 'lib'));
    } catch {
      return []; // no lib/: a prefix of conda records only
    }
    const version = (name: string) =>
      name.slice('python'.length).replace(/t$/, '').split('.').map(Number);
    return names
      .filter(name => /^python\d+\.\d+t?$/.test(name))
      .filter(name =>
        isDirectory(path.join(prefix, 'lib', name, 'site-packages'))
      )
      .sort((a, b) => {
        const [va, vb] = [version(a), version(b)];
        return vb[0] - va[0] || vb[1] - va[1] || (a < b ? -1 : 1);
      });
  }

  /**
   * Without a conda `python` record, ask the prefix's own interpreter. Run
   * with -I -S -B: no user site, no site import, no .pyc written into the prefix.
   */
  export async function askInterpreter(
    prefix: string,
    dirs: string[],
    warnings: string[]
  ): Promise<string> {
    for (const dir of dirs) {
      const interpreter = path.join(prefix, 'bin', dir);
      if (!resolves(interpreter)) {
        continue;
      }
      const run = await runBounded(
        interpreter,
        ['-I', '-S', '-B', '-c', 'import sys; print(sys.version.split()[0])'],
        {
          timeoutMs: 60000,
          maxOutputBytes: 64 * 1024
        }
      );
      if (run.kind === 'exited' && run.code === 0) {
        const version = run.stdout.trim();
        if (pythonMinor(version)) {
          return version;
        }
        continue;
      }
      warnings.push(
        `${interpreter} did not run (${Private.runProblem(run)}); the Python version is left empty`
      );
      return '';
    }
    warnings.push(
      `no conda python record and no bin/python3.X in ${prefix}; the Python version is left empty`
    );
    return '';
  }

  /** The pip installs of one site-packages (prefix-relative), minus conda's. */
  export function readPipPackages(
    prefix: string,
    site: string,
    owned: Set<string>,
    warnings: string[]
  ): ImagePackage[] {
    const packages: ImagePackage[] = [];
    const siteDir = path.join(prefix, site);
    for (const entry of listDir(siteDir).sort()) {
      const rel = `${site}/${entry}`;
      const distInfo = path.join(siteDir, entry);
      if (entry.endsWith('.dist-info') && entry.includes('\ufffd')) {
        // readdir decoded the name as UTF-8: the path it gives is not the directory's.
        warnings.push(
          `${JSON.stringify(distInfo)}: the name is not valid UTF-8; skipped`
        );
        continue;
      }
      if (
        !entry.endsWith('.dist-info') ||
        owned.has(rel) ||
        !isDirectory(distInfo)
      ) {
        continue;
      }
      if (
        installedByConda(
          readOptional(path.join(distInfo, 'INSTALLER'), MAX_BYTES.installer) ??
            ''
        )
      ) {
        continue;
      }
      const metadata = readOptional(
        path.join(distInfo, 'METADATA'),
        MAX_BYTES.metadata
      );
      const dist =
        (metadata !== null ? parseCoreMetadata(metadata) : null) ??
        parseDistInfoName(entry);
      if (!dist) {
        warnings.push(
          `${distInfo} has no readable METADATA name and version; skipped`
        );
        continue;
      }
      const problem =
        packageFieldProblem('name', dist.name) ??
        packageFieldProblem('version', dist.version);
      if (problem) {
        warnings.push(`${distInfo}: ${problem}; skipped`);
        continue;
      }
      packages.push({ name: dist.name, version: dist.version, source: 'pip' });
    }
    return packages;
  }

  /** A small file of a dist-info, or null when it is missing or not a sane regular file. */
  export function readOptional(file: string, maxBytes: number): string | null {
    const read = readRegularFile(file, { maxBytes });
    return read.ok ? read.text : null;
  }

  export function runProblem(run: BoundedRunResult): string {
    switch (run.kind) {
      case 'exited':
        return `exit ${run.code ?? run.signal}`;
      case 'timeout':
        return 'timed out after 60 s';
      case 'too-much-output':
        return 'it printed too much';
      case 'not-found':
        return 'not found';
      case 'failed':
        return run.reason;
    }
  }
}
