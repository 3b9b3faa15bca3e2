/**
 * What an image env prefix (e.g. /opt/conda) holds: its conda records, the
 * pip installs on top of them and the Python version.
 *
 * Reads only `conda-meta/` and the top level of `site-packages` (one
 * directory listing plus a few small files per dist-info): ml-base has
 * ~60K files, and none of them needs to be visited.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
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
} from '../../core/manifest';
import { UserError } from '../errors';
import { isDirectory } from './isDirectory';

export interface IPrefixPackages {
  conda: ImagePackage[];
  pip: ImagePackage[];
  /** Full version of the prefix's Python (`3.11.7`), empty when there is none. */
  python: string;
  /** Things skipped or unknown, one line each. */
  warnings: string[];
}

/** Read the packages of `prefix` (absolute). Throws UserError on bad input. */
export async function readPrefixPackages(prefix: string): Promise<IPrefixPackages> {
  if (!isDirectory(prefix)) {
    throw new UserError(
      `the prefix ${prefix} does not exist or is not a directory`,
      'pass the image env prefix, e.g. --prefix /opt/conda'
    );
  }
  const warnings: string[] = [];
  const condaMeta = path.join(prefix, 'conda-meta');
  const records = isDirectory(condaMeta) ? Private.readCondaRecords(condaMeta) : null;
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
    ? sitePackages.filter(dir => dir === `python${minor}` || dir === `python${minor}t`)
    : sitePackages;

  const owned = condaOwnedDistInfos(records ?? []);
  const pip: ImagePackage[] = [];
  for (const dir of readable) {
    pip.push(...Private.readPipPackages(prefix, path.join('lib', dir, 'site-packages'), owned, warnings));
  }
  return { conda: (records ?? []).map(condaPackage), pip, python, warnings };
}

namespace Private {
  const execFileAsync = promisify(execFile);

  /** Every `conda-meta/*.json`, in name order; a malformed one is an error naming it. */
  export function readCondaRecords(condaMeta: string): ICondaRecord[] {
    const records: ICondaRecord[] = [];
    for (const name of fs.readdirSync(condaMeta).sort()) {
      if (!name.endsWith('.json')) {
        continue; // history, pinned, .lock files
      }
      const file = path.join(condaMeta, name);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf-8');
      } catch (error) {
        throw new UserError(
          `cannot read the conda record ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
          'make the prefix readable and run again'
        );
      }
      const parsed = parseCondaRecord(text, file);
      if (!parsed.ok) {
        throw new UserError(`malformed conda record: ${parsed.error}`, 'repair or remove that file and run again');
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
      return [];
    }
    const version = (name: string) => name.slice('python'.length).replace(/t$/, '').split('.').map(Number);
    return names
      .filter(name => /^python\d+\.\d+t?$/.test(name))
      .filter(name => isDirectory(path.join(prefix, 'lib', name, 'site-packages')))
      .sort((a, b) => {
        const [va, vb] = [version(a), version(b)];
        return vb[0] - va[0] || vb[1] - va[1] || (a < b ? -1 : 1);
      });
  }

  /**
   * Without a conda `python` record, ask the prefix's own interpreter. Run
   * with -I -S -B: no user site, no site import, no .pyc written into the prefix.
   */
  export async function askInterpreter(prefix: string, dirs: string[], warnings: string[]): Promise<string> {
    for (const dir of dirs) {
      const interpreter = path.join(prefix, 'bin', dir);
      if (!fs.existsSync(interpreter)) {
        continue;
      }
      try {
        const { stdout } = await execFileAsync(
          interpreter,
          ['-I', '-S', '-B', '-c', 'import sys; print(sys.version.split()[0])'],
          { timeout: 60000, encoding: 'utf-8' }
        );
        const version = stdout.trim();
        if (pythonMinor(version)) {
          return version;
        }
      } catch (error) {
        warnings.push(`${interpreter} did not run (${Private.firstLine(error)}); the Python version is left empty`);
        return '';
      }
    }
    warnings.push(`no conda python record and no bin/python3.X in ${prefix}; the Python version is left empty`);
    return '';
  }

  /** The pip installs of one site-packages (prefix-relative), minus conda's. */
  export function readPipPackages(prefix: string, site: string, owned: Set<string>, warnings: string[]): ImagePackage[] {
    const packages: ImagePackage[] = [];
    const siteDir = path.join(prefix, site);
    for (const entry of fs.readdirSync(siteDir).sort()) {
      const rel = `${site}/${entry}`;
      const distInfo = path.join(siteDir, entry);
      if (!entry.endsWith('.dist-info') || owned.has(rel) || !isDirectory(distInfo)) {
        continue;
      }
      if (installedByConda(readOptional(path.join(distInfo, 'INSTALLER')) ?? '')) {
        continue;
      }
      const metadata = readOptional(path.join(distInfo, 'METADATA'));
      const dist = (metadata !== null ? parseCoreMetadata(metadata) : null) ?? parseDistInfoName(entry);
      if (!dist) {
        warnings.push(`${distInfo} has no readable METADATA name and version; skipped`);
        continue;
      }
      const problem = packageFieldProblem('name', dist.name) ?? packageFieldProblem('version', dist.version);
      if (problem) {
        warnings.push(`${distInfo}: ${problem}; skipped`);
        continue;
      }
      packages.push({ name: dist.name, version: dist.version, source: 'pip' });
    }
    return packages;
  }

  export function readOptional(file: string): string | null {
    try {
      return fs.readFileSync(file, 'utf-8');
    } catch {
      return null;
    }
  }

  export function firstLine(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    return text.split('\n')[0];
  }
}
