/**
 * The contract of an env's life after `create` (docs/architecture.md,
 * "Env life"): the revision records `mlc` keeps inside each env, the lock
 * file `mlc env export` writes, and the `data` of the result events of
 * `mlc env install/uninstall/history/rollback/export/rebase` and of the
 * image-update notice `mlc env list/check` report.
 *
 * Pure: no `fs`, no Node, so the extension and `mlc` share it. Stable: new
 * fields are only ever added as optional ones.
 */
import * as z from 'zod/mini';
import { onFirstUse } from './firstUse';
import { parseJson, type ParseResult } from './parseJson';

/** The directory inside an env that holds its revisions (`1.json`, `2.json`, ...). */
export const REVISIONS_DIR = '.mlc-revisions';

/** Inside REVISIONS_DIR: the package list of the image the env was last built on. */
export const IMAGE_PACKAGES_FILE = 'image-packages.json';

/** Inside REVISIONS_DIR: present while a change runs; left behind by a failed or killed one. */
export const PENDING_FILE = 'pending.json';

/** Inside the env: the installers' output of the last change (its path is in the results). */
export const INSTALL_LOG_FILE = '.mlc-install.log';

export const REVISION_VERSION = 1;
export const LOCK_VERSION = 1;

/** At most this many revisions are kept readable (older ones are refused, not silently read). */
export const MAX_REVISIONS = 1000;

/** A revision file or a lock file larger than this is refused. */
export const MAX_REVISION_BYTES = 4 * 1024 * 1024;
export const MAX_LOCK_BYTES = 4 * 1024 * 1024;

/** At most this many packages in a revision or a lock file. */
export const MAX_ENV_PACKAGES = 5000;

/**
 * A package name as PyPI and conda spell one (PEP 508 names, conda names):
 * letters, digits, `.`, `_`, `-`, starting and ending with a letter or digit.
 */
export const PACKAGE_NAME_PATTERN =
  /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,198}[A-Za-z0-9])?$/;

/** A version as installers print one (PEP 440 and conda), never an option or a path. */
export const PACKAGE_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.+!_*-]{0,99}$/;

/** A conda build string. */
export const CONDA_BUILD_PATTERN = /^[A-Za-z0-9_.+]{1,100}$/;

/** `sha256:<64 hex>`, as pip's report and `--hash` spell one. */
export const PIP_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** The changes mlc records a revision for. */
export const REVISION_COMMANDS = [
  'create',
  'install',
  'uninstall',
  'rollback',
  'rebase'
] as const;
export type RevisionCommand = (typeof REVISION_COMMANDS)[number];

// The schemas below are built on first use (onFirstUse keeps each): `env
// list` and `env create` load this module and build none of them.
const packageName = (): z.ZodMiniString<string> =>
  z.string().check(z.regex(PACKAGE_NAME_PATTERN));
const packageVersion = (): z.ZodMiniString<string> =>
  z.string().check(z.regex(PACKAGE_VERSION_PATTERN));
const boundedText = (): z.ZodMiniString<string> =>
  z.string().check(z.maxLength(4096));

/**
 * The image an env sits on, as far as `mlc` can tell: from the base's
 * `image.json` when it has one, else from the base's own package records.
 */
export const imageIdentitySchema = onFirstUse(() =>
  z.object({
    /** `name:tag`, empty when the base has no image.json. */
    reference: boundedText(),
    /** The image's build date (ISO 8601), empty when unknown. */
    buildDate: boundedText(),
    /** sha256 (hex) of the image's sorted package list: equal digests, equal packages. */
    packagesDigest: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
    /** How many packages that list holds. */
    packageCount: z.number().check(z.int(), z.nonnegative()),
    /** Where the list came from. */
    source: z.enum(['image.json', 'records'])
  })
);
export type ImageIdentity = z.infer<ReturnType<typeof imageIdentitySchema>>;

/** A pip package of the env's own (in the env's site-packages, not the image's). */
export const pipPinSchema = onFirstUse(() =>
  z.object({
    name: packageName(),
    version: packageVersion(),
    /** The wheel's hash when the installer reported it. */
    hash: z.optional(z.string().check(z.regex(PIP_HASH_PATTERN)))
  })
);
export type PipPin = z.infer<ReturnType<typeof pipPinSchema>>;

/** A conda record of the env's own (in its conda-meta, not one of the base's). */
export const condaPinSchema = onFirstUse(() =>
  z.object({
    name: packageName(),
    version: packageVersion(),
    build: z.string().check(z.regex(CONDA_BUILD_PATTERN)),
    channel: z.optional(boundedText()),
    /** The package archive's digests, from the record, when it has them. */
    sha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
    md5: z.optional(z.string().check(z.regex(/^[0-9a-f]{32}$/)))
  })
);
export type CondaPin = z.infer<ReturnType<typeof condaPinSchema>>;

/** `<env>/.mlc-revisions/N.json`: what the env held after change N. */
export const revisionSchema = onFirstUse(() =>
  z.object({
    schemaVersion: z.literal(REVISION_VERSION),
    /** 1 for the create, then one more per change. */
    number: z.number().check(z.int(), z.minimum(1), z.maximum(MAX_REVISIONS)),
    /** ISO 8601 time the change finished. */
    time: boundedText(),
    command: z.enum(REVISION_COMMANDS),
    /** The verb's arguments after the env (specs, names, the revision rolled back to). */
    args: z.array(boundedText()).check(z.maxLength(1000)),
    /** The image under the env at that time. */
    image: imageIdentitySchema(),
    /** `X.Y.Z` of the env's Python. */
    python: boundedText(),
    pip: z.array(pipPinSchema()).check(z.maxLength(MAX_ENV_PACKAGES)),
    conda: z.array(condaPinSchema()).check(z.maxLength(MAX_ENV_PACKAGES))
  })
);
export type EnvRevision = z.infer<ReturnType<typeof revisionSchema>>;

/** `<env>/.mlc-revisions/pending.json`: the change under way. */
export const pendingChangeSchema = onFirstUse(() =>
  z.object({
    schemaVersion: z.literal(REVISION_VERSION),
    command: z.enum(REVISION_COMMANDS),
    args: z.array(boundedText()).check(z.maxLength(1000)),
    /** The revision the env was at when the change started. */
    fromRevision: z.number().check(z.int(), z.minimum(0)),
    startedAt: boundedText(),
    pid: z.number().check(z.int())
  })
);
export type PendingChange = z.infer<ReturnType<typeof pendingChangeSchema>>;

/** The lock file `mlc env export` writes and `mlc env create --from` reads. */
export const envLockSchema = onFirstUse(() =>
  z.object({
    kind: z.literal('mlc-env-lock'),
    lockVersion: z.literal(LOCK_VERSION),
    exportedAt: boundedText(),
    /** The env's name when exported (informative only: never a path used). */
    envName: boundedText(),
    image: imageIdentitySchema(),
    /** `X.Y.Z`. */
    python: boundedText(),
    pip: z.array(pipPinSchema()).check(z.maxLength(MAX_ENV_PACKAGES)),
    conda: z.array(condaPinSchema()).check(z.maxLength(MAX_ENV_PACKAGES))
  })
);
export type EnvLock = z.infer<ReturnType<typeof envLockSchema>>;

/** One package an operation adds, changes or removes. */
export interface IPackageChange {
  name: string;
  /** The version before (null: not in the env before). */
  from: string | null;
  /** The version after (null: removed). */
  to: string | null;
  /** `install`, `upgrade`, `downgrade`, `reinstall`, `remove`. */
  kind: 'install' | 'upgrade' | 'downgrade' | 'reinstall' | 'remove';
  installer: 'pip' | 'conda';
}

/**
 * An image package the operation would put another version of into the
 * env, where it would shadow the image's (`numpy 1.26.4 (image) -> 2.1.3 (env)`).
 */
export interface IImageShadow {
  name: string;
  imageVersion: string;
  envVersion: string;
}

/** The phases of `env install/uninstall/rollback/rebase`, in the order they run. */
export const CHANGE_PHASES = [
  'resolve',
  'download',
  'install',
  'verify'
] as const;
export type ChangePhase = (typeof CHANGE_PHASES)[number];

/**
 * The `data` of `env install` and `env uninstall` (`--dry-run` or not):
 * `command: 'env install'` / `'env uninstall'`.
 */
export interface IEnvInstallResult {
  prefix: string;
  installer: 'pip' | 'conda';
  dryRun: boolean;
  /** The specs (install) or names (uninstall) as given. */
  specs: string[];
  /** What changed (or, with --dry-run, would change). */
  changes: IPackageChange[];
  /**
   * Image packages the env shadows after this (or would): refused unless
   * --allow-image-override, then listed here as done.
   */
  shadowed: IImageShadow[];
  /**
   * Why the change is refused (the dry run says so instead of failing, so the
   * dialog can show the preview); null when it may go ahead. A refused
   * dry run exits 1 after its result.
   */
  refused: string | null;
  /** The revision recorded by this change; null for a dry run or when nothing changed. */
  revision: number | null;
  /** The installer's output of this run, kept in the env; null when none ran. */
  logFile: string | null;
  elapsedMs: number;
}

/** A revision as `env history` lists it. */
export interface IRevisionSummary {
  number: number;
  time: string;
  command: RevisionCommand;
  args: string[];
  image: ImageIdentity;
  python: string;
  pip: PipPin[];
  conda: CondaPin[];
  /** Against the revision before it (empty for the first). */
  changes: IPackageChange[];
}

/** The `data` of `env history` (`command: 'env history'`). */
export interface IEnvHistoryResult {
  prefix: string;
  revisions: IRevisionSummary[];
  /** The revision the env is at (the last), 0 when none is recorded (an env older than revisions). */
  current: number;
  /**
   * Whether the env's packages still equal the last revision's: false after
   * a failed or interrupted change, or a pip install by hand.
   */
  matchesCurrent: boolean;
  /** The revision files that were refused (hostile or damaged), one line each. */
  unreadable: string[];
}

/** The `data` of `env rollback` (`command: 'env rollback'`). */
export interface IEnvRollbackResult {
  prefix: string;
  /** The revision rolled back to. */
  target: number;
  /** The new revision recorded (rollback is a change too). */
  revision: number | null;
  changes: IPackageChange[];
  logFile: string | null;
  elapsedMs: number;
}

/** The `data` of `env export` (`command: 'env export'`). */
export interface IEnvExportResult {
  prefix: string;
  /** The file written, null when the lock went to stdout (human mode, no -o). */
  file: string | null;
  lock: EnvLock;
}

/** Package differences between the image an env was built on and the current one. */
export interface IImageChange {
  recorded: ImageIdentity;
  current: ImageIdentity;
  /** The build dates, for the one-line notice ('' when unknown). */
  recordedBuild: string;
  currentBuild: string;
  upgraded: Array<{ name: string; from: string; to: string }>;
  added: Array<{ name: string; version: string }>;
  removed: Array<{ name: string; version: string }>;
}

/** The problem code `env list` / `env check` report when the image changed under an env. */
export const BASE_UPDATED = 'base-updated';

/** The problem code `env check` reports for a change that did not finish. */
export const CHANGE_INTERRUPTED = 'change-interrupted';

/** The `data` of `env rebase` (`command: 'env rebase'`). */
export interface IEnvRebaseResult {
  prefix: string;
  from: ImageIdentity;
  to: ImageIdentity;
  /** The revision recorded for the rebase; the one before it is the old state. */
  revision: number | null;
  /** The revision before the rebase (roll back to it to undo). */
  previous: number;
  /** Top-level modules imported by the smoke test. */
  imported: string[];
  /** `pip check`'s verdict: 'ok', or its first lines. */
  pipCheck: string;
  logFile: string | null;
  elapsedMs: number;
}

/** Parse a revision file's text (`what` names it in the error). */
export function parseRevision(
  text: string,
  what: string
): ParseResult<EnvRevision> {
  return parseJson(revisionSchema(), what, text);
}

/** Parse a lock file's text. */
export function parseEnvLock(text: string, what: string): ParseResult<EnvLock> {
  return parseJson(envLockSchema(), what, text);
}

/** Parse the pending-change file's text. */
export function parsePendingChange(
  text: string,
  what: string
): ParseResult<PendingChange> {
  return parseJson(pendingChangeSchema(), what, text);
}

/**
 * The changes between two package sets (`before` -> `after`), sorted by
 * name; `compare` orders versions (negative: a < b).
 */
export function packageChanges(
  before: ReadonlyArray<{ name: string; version: string }>,
  after: ReadonlyArray<{ name: string; version: string }>,
  installer: 'pip' | 'conda',
  compare: (a: string, b: string) => number = compareVersions
): IPackageChange[] {
  const old = new Map(before.map(pin => [normalizeName(pin.name), pin]));
  const now = new Map(after.map(pin => [normalizeName(pin.name), pin]));
  const changes: IPackageChange[] = [];
  for (const [key, pin] of now) {
    const was = old.get(key);
    if (!was) {
      changes.push({
        name: pin.name,
        from: null,
        to: pin.version,
        kind: 'install',
        installer
      });
    } else if (was.version !== pin.version) {
      changes.push({
        name: pin.name,
        from: was.version,
        to: pin.version,
        kind: compare(was.version, pin.version) < 0 ? 'upgrade' : 'downgrade',
        installer
      });
    }
  }
  for (const [key, pin] of old) {
    if (!now.has(key)) {
      changes.push({
        name: pin.name,
        from: pin.version,
        to: null,
        kind: 'remove',
        installer
      });
    }
  }
  return changes.sort((a, b) => a.name.localeCompare(b.name));
}

/** PEP 503 normalised name: lower case, runs of `-_.` as one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * A version order good enough for the upgrade/downgrade word: numeric
 * parts compared as numbers, others as text.
 */
export function compareVersions(a: string, b: string): number {
  const left = a.split(/[.+!-]/);
  const right = b.split(/[.+!-]/);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i] ?? '0';
    const y = right[i] ?? '0';
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    const order =
      !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x.localeCompare(y);
    if (order !== 0) {
      return order;
    }
  }
  return 0;
}

/** What an installer putting `to` over `from` (null: not there) does, as the previews word it. */
export function changeKind(
  from: string | null,
  to: string
): 'install' | 'upgrade' | 'downgrade' | 'reinstall' {
  if (from === null) {
    return 'install';
  }
  const order = compareVersions(from, to);
  return order < 0 ? 'upgrade' : order > 0 ? 'downgrade' : 'reinstall';
}

/** `numpy 1.26.4 (image) -> 2.1.3 (env)`, the way refusals and previews list a shadow. */
export function shadowText(shadow: IImageShadow): string {
  return `${shadow.name} ${shadow.imageVersion} (image) -> ${shadow.envVersion} (env)`;
}

/** One line for an image change: build dates and counts. */
export function imageChangeText(change: IImageChange): string {
  const when =
    change.recordedBuild !== change.currentBuild
      ? ` (built ${change.recordedBuild || 'unknown'} -> ${change.currentBuild || 'unknown'})`
      : '';
  const counts = [
    `${change.upgraded.length} upgraded`,
    `${change.added.length} added`,
    `${change.removed.length} removed`
  ].join(', ');
  return `the image under the env changed since it was built${when}: ${counts}`;
}
