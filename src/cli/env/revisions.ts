/**
 * The revisions of an env (docs/architecture.md, "Env life"): after every
 * change `mlc` makes (create, install, uninstall, rollback, rebase) it writes
 * `<env>/.mlc-revisions/N.json` with the env's own package set and the image
 * under it. The files are the user's to damage: each is read as a bounded
 * regular file (never through a link) and validated like user input.
 */
import {
  CONDA_BUILD_PATTERN,
  IMAGE_PACKAGES_FILE,
  MAX_ENV_PACKAGES,
  MAX_REVISION_BYTES,
  MAX_REVISIONS,
  PACKAGE_NAME_PATTERN,
  PACKAGE_VERSION_PATTERN,
  PENDING_FILE,
  REVISION_VERSION,
  REVISIONS_DIR,
  normalizeName,
  parsePendingChange,
  parseRevision,
  type CondaPin,
  type EnvRevision,
  type ImageIdentity,
  type PendingChange,
  type PipPin,
  type RevisionCommand
} from '../../core/envLife';
import { imageIdentitySchema } from '../../core/envLife';
import { condaRecordFileProblem } from '../../core/problemText';
import { zodMessages } from '../../core/zodMessages';
import { readRegularFile } from '../fs/regularFile';
import { ensureRealDirectory } from '../fs/realDir';
import { listRealDirectory } from '../fs/listDir';
import { removeEntry } from '../fs/removeTree';
import { writeFileStaged } from '../fs/stagedWrite';
import { UserError } from '../errors';
import { condaRecordParts } from './base';
import { condaRecordOrigin } from './condaRecords';
import {
  distributionsIn,
  type IImagePackage,
  type IImageState
} from './imageIdentity';
import { BASE_RECORDS_FILE } from './mirror';

/** The env's own packages: pip distributions in its site-packages, conda records not the base's. */
export interface IEnvPackages {
  pip: PipPin[];
  conda: CondaPin[];
}

/** The env's own package set now. */
export function envPackages(envDir: string, python: string): IEnvPackages {
  const pip = distributionsIn(
    `${envDir}/lib/python${python}/site-packages`,
    MAX_ENV_PACKAGES * 4
  )
    .filter(
      pkg =>
        PACKAGE_NAME_PATTERN.test(pkg.name) &&
        PACKAGE_VERSION_PATTERN.test(pkg.version)
    )
    .slice(0, MAX_ENV_PACKAGES);
  return { pip, conda: Private.ownCondaRecords(envDir) };
}

/** Whether two package sets are equal (names compared normalised, hashes ignored). */
export function samePackages(a: IEnvPackages, b: IEnvPackages): boolean {
  const key = (set: IEnvPackages): string =>
    [
      ...set.pip.map(pin => `pip ${normalizeName(pin.name)} ${pin.version}`),
      ...set.conda.map(
        pin => `conda ${normalizeName(pin.name)} ${pin.version} ${pin.build}`
      )
    ]
      .sort()
      .join('\n');
  return key(a) === key(b);
}

export function revisionsDir(envDir: string): string {
  return `${envDir}/${REVISIONS_DIR}`;
}

export interface IRevisionListing {
  revisions: EnvRevision[];
  /** Files refused, one line each. */
  unreadable: string[];
}

/** Every readable revision of the env, oldest first. */
export function readRevisions(envDir: string): IRevisionListing {
  const listed = Private.revisionNumbers(envDir);
  if (!listed.ok) {
    return { revisions: [], unreadable: listed.unreadable };
  }
  const numbers = listed.numbers;
  const revisions: EnvRevision[] = [];
  const unreadable: string[] = [];
  for (const number of numbers) {
    const read = readRevision(envDir, number);
    if (read.ok) {
      revisions.push(read.value);
    } else {
      unreadable.push(read.error);
    }
  }
  return { revisions, unreadable };
}

/** Revision `number` of the env, validated, or why not. */
export function readRevision(
  envDir: string,
  number: number
): { ok: true; value: EnvRevision } | { ok: false; error: string } {
  const file = `${revisionsDir(envDir)}/${number}.json`;
  const read = readRegularFile(file, {
    maxBytes: MAX_REVISION_BYTES,
    followLinks: false,
    strictUtf8: true
  });
  if (!read.ok) {
    return { ok: false, error: `${file} ${read.reason}` };
  }
  const parsed = parseRevision(read.text, file);
  if (parsed.ok && parsed.value.number !== number) {
    return {
      ok: false,
      error: `${file}: says it is revision ${parsed.value.number}`
    };
  }
  return parsed;
}

/**
 * The newest readable revision of the env, or null: read from the highest
 * number down, stopping at the first that is valid (what the last entry of
 * `readRevisions` is, without reading the others).
 */
export function latestRevision(envDir: string): EnvRevision | null {
  const listed = Private.revisionNumbers(envDir);
  for (const number of listed.ok ? [...listed.numbers].reverse() : []) {
    const read = readRevision(envDir, number);
    if (read.ok) {
      return read.value;
    }
  }
  return null;
}

/**
 * `name==version` -> hash, for each of `pins` that has none, from the newest
 * readable revision recording one (what `knownHashes(readRevisions(envDir)
 * .revisions)` gives for those keys): read from the newest down, only as far
 * as a pin still lacks one.
 */
export function recordedHashes(
  envDir: string,
  pins: readonly PipPin[]
): Map<string, string> {
  const key = (pin: PipPin): string =>
    `${normalizeName(pin.name)}==${pin.version}`;
  const wanted = new Set(pins.filter(pin => !pin.hash).map(key));
  const found = new Map<string, string>();
  const listed = wanted.size ? Private.revisionNumbers(envDir) : null;
  for (const number of listed?.ok ? [...listed.numbers].reverse() : []) {
    const read = readRevision(envDir, number);
    // Last first, as knownHashes lets a later pin win.
    for (const pin of read.ok ? [...read.value.pip].reverse() : []) {
      if (pin.hash && wanted.delete(key(pin))) {
        found.set(key(pin), pin.hash);
      }
    }
    if (!wanted.size) {
      break;
    }
  }
  return found;
}

/** The highest revision number present (readable or not), 0 when none. */
export function lastRevisionNumber(envDir: string): number {
  const listing = listRealDirectory(revisionsDir(envDir), MAX_REVISIONS + 16);
  if (!listing.ok) {
    return 0;
  }
  let last = 0;
  for (const entry of listing.entries) {
    const n = Number(/^([1-9]\d{0,3})\.json$/.exec(entry.name)?.[1] ?? 0);
    if (n <= MAX_REVISIONS && n > last) {
      last = n;
    }
  }
  return last;
}

export interface IRevisionInput {
  command: RevisionCommand;
  args: string[];
  image: ImageIdentity;
  python: string;
  packages: IEnvPackages;
}

/**
 * Record the env's state as the next revision; `dir` is where the env is
 * now (a staging directory during create), `envDir` the same when omitted.
 */
export function recordRevision(
  dir: string,
  input: IRevisionInput,
  previousHashes: ReadonlyMap<string, string> = new Map()
): EnvRevision {
  const number = lastRevisionNumber(dir) + 1;
  if (number > MAX_REVISIONS) {
    throw new UserError(
      `the env has ${MAX_REVISIONS} revisions, the most mlc keeps`,
      'export it (mlc env export) and recreate it (mlc env create PATH --from FILE)',
      1
    );
  }
  const revision: EnvRevision = {
    schemaVersion: REVISION_VERSION,
    number,
    time: new Date().toISOString(),
    command: input.command,
    args: input.args.map(arg => arg.slice(0, 4096)).slice(0, 1000),
    image: input.image,
    python: input.python,
    pip: input.packages.pip.map(pin => {
      const hash =
        pin.hash ??
        previousHashes.get(`${normalizeName(pin.name)}==${pin.version}`);
      return {
        name: pin.name,
        version: pin.version,
        ...(hash ? { hash } : {})
      };
    }),
    conda: input.packages.conda
  };
  ensureRealDirectory(revisionsDir(dir), 0o755);
  writeFileStaged(
    `${revisionsDir(dir)}/${number}.json`,
    JSON.stringify(revision, null, 1) + '\n'
  );
  return revision;
}

/** `name==version` -> hash of every pin of `revisions` that has one. */
export function knownHashes(
  revisions: readonly EnvRevision[]
): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const revision of revisions) {
    for (const pin of revision.pip) {
      if (pin.hash) {
        hashes.set(`${normalizeName(pin.name)}==${pin.version}`, pin.hash);
      }
    }
  }
  return hashes;
}

/** Keep the image's package list in the env, for the update notice's differences. */
export function writeImagePackages(dir: string, image: IImageState): void {
  ensureRealDirectory(revisionsDir(dir), 0o755);
  writeFileStaged(
    `${revisionsDir(dir)}/${IMAGE_PACKAGES_FILE}`,
    JSON.stringify({ identity: image.identity, packages: image.packages }) +
      '\n'
  );
}

/** The image package list kept in the env, or null (absent, damaged, hostile). */
export function readImagePackages(envDir: string): IImageState | null {
  const read = readRegularFile(
    `${revisionsDir(envDir)}/${IMAGE_PACKAGES_FILE}`,
    { maxBytes: 64 << 20, followLinks: false, strictUtf8: true }
  );
  if (!read.ok) {
    return null;
  }
  try {
    const raw = JSON.parse(read.text) as {
      identity?: unknown;
      packages?: unknown;
    };
    zodMessages();
    const identity = imageIdentitySchema().safeParse(raw.identity);
    if (!identity.success || !Array.isArray(raw.packages)) {
      return null;
    }
    const packages: IImagePackage[] = [];
    for (const pkg of raw.packages.slice(0, 200000) as unknown[]) {
      const item = pkg as Partial<IImagePackage> | null;
      if (
        item &&
        typeof item.name === 'string' &&
        typeof item.version === 'string' &&
        typeof item.source === 'string'
      ) {
        packages.push({
          name: item.name.slice(0, 200),
          version: item.version.slice(0, 100),
          source: item.source.slice(0, 20)
        });
      }
    }
    return { identity: identity.data, packages };
  } catch {
    return null;
  }
}

/** Mark a change as under way (a kill leaves the mark, which `env check` reports). */
export function writePending(
  envDir: string,
  change: Omit<PendingChange, 'schemaVersion' | 'startedAt' | 'pid'>
): void {
  ensureRealDirectory(revisionsDir(envDir), 0o755);
  const pending: PendingChange = {
    schemaVersion: REVISION_VERSION,
    ...change,
    startedAt: new Date().toISOString(),
    pid: process.pid
  };
  writeFileStaged(
    `${revisionsDir(envDir)}/${PENDING_FILE}`,
    JSON.stringify(pending) + '\n'
  );
}

/** The change under way or left unfinished, or null. */
export function readPending(envDir: string): PendingChange | null {
  const file = `${revisionsDir(envDir)}/${PENDING_FILE}`;
  const read = readRegularFile(file, {
    maxBytes: 1 << 20,
    followLinks: false,
    strictUtf8: true
  });
  if (!read.ok) {
    return null;
  }
  const parsed = parsePendingChange(read.text, file);
  return parsed.ok ? parsed.value : null;
}

export function clearPending(envDir: string): void {
  removeEntry(`${revisionsDir(envDir)}/${PENDING_FILE}`);
}

namespace Private {
  /** The revision numbers present in the env's revisions directory, ascending. */
  export function revisionNumbers(
    envDir: string
  ): { ok: true; numbers: number[] } | { ok: false; unreadable: string[] } {
    const dir = revisionsDir(envDir);
    const listing = listRealDirectory(dir, MAX_REVISIONS + 16);
    if (!listing.ok) {
      return {
        ok: false,
        unreadable: listing.missing ? [] : [`${dir} ${listing.reason}`]
      };
    }
    const numbers = listing.entries
      .map(entry => /^([1-9]\d{0,3})\.json$/.exec(entry.name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .filter(n => n <= MAX_REVISIONS)
      .sort((a, b) => a - b);
    return { ok: true, numbers };
  }

  /** The env's conda-meta records that are not copies of the base's. */
  export function ownCondaRecords(envDir: string): CondaPin[] {
    const meta = `${envDir}/conda-meta`;
    const listing = listRealDirectory(meta, MAX_ENV_PACKAGES * 20);
    if (!listing.ok) {
      return [];
    }
    const read = readRegularFile(`${meta}/${BASE_RECORDS_FILE}`, {
      maxBytes: 1 << 24,
      followLinks: false
    });
    const baseRecords = new Set(read.ok ? read.text.split('\n') : []);
    const pins: CondaPin[] = [];
    for (const entry of listing.entries) {
      if (
        !entry.name.endsWith('.json') ||
        baseRecords.has(entry.name) ||
        condaRecordFileProblem(entry.name)
      ) {
        continue;
      }
      const parts = condaRecordParts(entry.name);
      if (
        parts &&
        PACKAGE_NAME_PATTERN.test(parts.name) &&
        PACKAGE_VERSION_PATTERN.test(parts.version) &&
        CONDA_BUILD_PATTERN.test(parts.build)
      ) {
        pins.push({ ...parts, ...condaRecordOrigin(`${meta}/${entry.name}`) });
      }
    }
    return pins
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, MAX_ENV_PACKAGES);
  }
}
