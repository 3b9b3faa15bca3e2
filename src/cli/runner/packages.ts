/**
 * `mlc packages IMAGE`: the image's package list from the first source that
 * answers: an unpacked copy (CVMFS, or this directory's sandbox of it), the
 * image in a local engine's store (never pulled for this), the catalogue's
 * URL.
 */
import * as path from 'path';
import { operandsAfterOptions } from '../../core/argv';
import type { CatalogueEntry } from '../../core/runner/catalogue';
import {
  PACKAGE_LIST_FILE,
  parsePackageList
} from '../../core/packageManifest';
import { ENGINES, isSandboxEngine } from '../../core/runner/workState';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { httpBudget, httpRequest } from './registry/http';
import { sandboxPath } from './container';
import { captureEngine, engineFor, findExecutable } from './engine';
import { readState, workDir } from './stateFile';
import { readRegularFile } from '../fs/regularFile';

export interface IPackageListing {
  image: string;
  /** Where the list was read: a path, `podman:REF`, or a URL. */
  source: string;
  packages: { name: string; version: string }[];
}

export async function listPackages(
  context: ICliContext,
  entry: CatalogueEntry
): Promise<IPackageListing> {
  const tried: string[] = [];
  const found = (source: string, text: string): IPackageListing => ({
    image: `${entry.name}:${entry.tag}`,
    source,
    packages: parsePackageList(text)
      .filter(pkg => /^[^\s\p{Cc}]+$/u.test(pkg.name))
      .map(pkg => ({ name: pkg.name, version: pkg.version }))
  });
  for (const root of [
    ...(entry.cvmfsPaths ?? []),
    ...Private.sandboxOfImage(context, entry)
  ]) {
    const file = path.join(root, PACKAGE_LIST_FILE);
    tried.push(file);
    const read = readRegularFile(file, { maxBytes: 16 * 1024 * 1024 });
    if (read.ok) {
      return found(file, read.text);
    }
  }
  for (const kind of ENGINES.filter(
    kind => !isSandboxEngine(kind) && findExecutable(kind, context.env)
  )) {
    const engine = engineFor(kind, context.env);
    tried.push(`${kind}:${entry.reference}`);
    if (
      captureEngine(
        engine,
        ['image', 'inspect', ...operandsAfterOptions([entry.reference])],
        60000
      ).code !== 0
    ) {
      continue;
    }
    const result = captureEngine(
      engine,
      [
        'run',
        '--rm',
        '--network',
        'none',
        ...engine.createArgs,
        '--entrypoint',
        'cat',
        ...operandsAfterOptions([entry.reference, `/${PACKAGE_LIST_FILE}`])
      ],
      120000
    );
    if (result.code === 0) {
      return found(`${kind}:${entry.reference}`, result.stdout);
    }
  }
  if (entry.packageListUrl) {
    tried.push(entry.packageListUrl);
    const response = await httpRequest(
      entry.packageListUrl,
      httpBudget(context.env),
      {
        maxBytes: 16 * 1024 * 1024
      }
    );
    if (response.status === 200) {
      return found(entry.packageListUrl, response.body.toString('utf-8'));
    }
  }
  throw new UserError(
    `no package list found for ${entry.name}:${entry.tag} (tried ${tried.length > 0 ? tried.join(', ') : 'nothing'})`,
    `pull the image first ('podman pull ${entry.reference}') or add packageListUrl to the catalogue`,
    1
  );
}

export function formatPackageListing(listing: IPackageListing): string {
  const width = Math.max(
    12,
    ...listing.packages.map(pkg => pkg.name.length + pkg.version.length + 1)
  );
  return [
    `Found imageName= ${listing.image}`,
    `      with the following installed pkgs (from ${listing.source}):`,
    'Name Version',
    '\u2500'.repeat(Math.min(width, 76)),
    ...listing.packages.map(pkg => `${pkg.name} ${pkg.version}`)
  ].join('\n');
}

namespace Private {
  export function sandboxOfImage(
    context: ICliContext,
    entry: CatalogueEntry
  ): string[] {
    try {
      const state = readState(workDir(context.cwd));
      return state?.sandbox &&
        state.image.name === entry.name &&
        state.image.tag === entry.tag
        ? [sandboxPath(state)]
        : [];
    } catch {
      return [];
    }
  }
}
