/**
 * The identity of the image under an env (docs/architecture.md, "Env
 * life"): name:tag, build date and a digest of its package list, from the
 * base's image.json, else from the base's own package records; and the
 * differences between two package lists, for the image-update notice.
 */
import type { ImageIdentity, IImageChange } from '../../core/envLife';
import { compareVersions, normalizeName } from '../../core/envLife';
import type { ImageMetadata } from '../../core/imageMetadata';
import { imageLabel, readBaseImage, condaRecordParts } from './base';
import { listRealDirectory } from '../fs/listDir';
import { sha256Hex } from '../../core/sha256';

/** One package of the image, as the identity digest and the diff see it. */
export interface IImagePackage {
  name: string;
  version: string;
  source: string;
}

export interface IImageState {
  identity: ImageIdentity;
  packages: IImagePackage[];
}

/** A base's package records beyond this many are not read (no real image has as many). */
const MAX_BASE_ENTRIES = 100000;

/**
 * The image under `basePrefix` now (Python `X.Y` locates its site-packages);
 * `preloaded`/`preloadedPip`: its image.json and `basePipPackages`, when the
 * caller read them already in this run.
 */
export function currentImage(
  basePrefix: string,
  python: string,
  preloaded?: ImageMetadata | null,
  preloadedPip?: ReadonlyArray<{ name: string; version: string }>
): IImageState {
  const image = preloaded === undefined ? readBaseImage(basePrefix) : preloaded;
  if (image) {
    const packages = image.packages.map(pkg => ({
      name: pkg.name,
      version: pkg.version,
      source: pkg.source
    }));
    return {
      identity: {
        reference: imageLabel(image),
        buildDate: image.buildDate,
        packagesDigest: packagesDigest(packages),
        packageCount: packages.length,
        source: 'image.json'
      },
      packages
    };
  }
  const packages = [
    ...Private.condaRecords(basePrefix),
    ...(preloadedPip ?? basePipPackages(basePrefix, python)).map(pkg => ({
      ...pkg,
      source: 'pip'
    }))
  ];
  return {
    identity: {
      reference: '',
      buildDate: '',
      packagesDigest: packagesDigest(packages),
      packageCount: packages.length,
      source: 'records'
    },
    packages
  };
}

/**
 * The pip distributions the base's interpreter sees in its own
 * site-packages (what an install into the env would shadow).
 */
export function basePipPackages(
  basePrefix: string,
  python: string
): Array<{ name: string; version: string }> {
  return distributionsIn(
    `${basePrefix}/lib/python${python}/site-packages`,
    MAX_BASE_ENTRIES
  );
}

/** The `name-version.dist-info` directories of `dir`, as name and version. */
export function distributionsIn(
  dir: string,
  maxEntries: number
): Array<{ name: string; version: string }> {
  const listing = listRealDirectory(dir, maxEntries);
  if (!listing.ok) {
    return [];
  }
  const found: Array<{ name: string; version: string }> = [];
  for (const entry of listing.entries) {
    const match = /^(.+)-([^-]+)\.dist-info$/.exec(entry.name);
    if (match && entry.isDirectory()) {
      // Spelled as PEP 503 normalises it (the directory name escapes `-` as `_`).
      found.push({ name: normalizeName(match[1]), version: match[2] });
    }
  }
  return found.sort(Private.byName);
}

/** sha256 of the sorted `source name version` lines: equal lists, equal digests. */
export function packagesDigest(packages: readonly IImagePackage[]): string {
  const lines = packages
    .map(pkg => `${pkg.source}\t${normalizeName(pkg.name)}\t${pkg.version}`)
    .sort();
  // The pure digest: Node's crypto would cost env create and env list ~5 ms of CPU to load.
  return sha256Hex(lines.join('\n'));
}

/** Whether two identities name the same image contents. */
export function sameImage(a: ImageIdentity, b: ImageIdentity): boolean {
  return a.packagesDigest === b.packagesDigest && a.buildDate === b.buildDate;
}

/** What changed between the recorded image and the current one. */
export function imageChange(
  recorded: IImageState,
  current: IImageState
): IImageChange {
  const key = (pkg: IImagePackage): string =>
    `${pkg.source}:${normalizeName(pkg.name)}`;
  const before = new Map(recorded.packages.map(pkg => [key(pkg), pkg]));
  const after = new Map(current.packages.map(pkg => [key(pkg), pkg]));
  const upgraded: IImageChange['upgraded'] = [];
  const added: IImageChange['added'] = [];
  const removed: IImageChange['removed'] = [];
  for (const [name, pkg] of after) {
    const was = before.get(name);
    if (!was) {
      added.push({ name: pkg.name, version: pkg.version });
    } else if (was.version !== pkg.version) {
      upgraded.push({ name: pkg.name, from: was.version, to: pkg.version });
    }
  }
  for (const [name, pkg] of before) {
    if (!after.has(name)) {
      removed.push({ name: pkg.name, version: pkg.version });
    }
  }
  const byName = (a: { name: string }, b: { name: string }): number =>
    a.name.localeCompare(b.name);
  return {
    recorded: recorded.identity,
    current: current.identity,
    recordedBuild: recorded.identity.buildDate,
    currentBuild: current.identity.buildDate,
    upgraded: upgraded.sort(
      (a, b) => byName(a, b) || compareVersions(a.from, b.from)
    ),
    added: added.sort(byName),
    removed: removed.sort(byName)
  };
}

namespace Private {
  /**
   * By code units: for package names (PEP 503 normalised, conda's lower-case
   * ones) the order localeCompare gave, without starting ICU's collator
   * (about 6 ms of CPU at every env create).
   */
  export function byName(a: { name: string }, b: { name: string }): number {
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  }

  export function condaRecords(basePrefix: string): IImagePackage[] {
    const listing = listRealDirectory(
      `${basePrefix}/conda-meta`,
      MAX_BASE_ENTRIES
    );
    if (!listing.ok) {
      return [];
    }
    const found: IImagePackage[] = [];
    for (const entry of listing.entries) {
      const parts = condaRecordParts(entry.name);
      if (parts) {
        found.push({
          name: parts.name,
          version: parts.version,
          source: 'conda'
        });
      }
    }
    return found;
  }
}
