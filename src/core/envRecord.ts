/**
 * The extended-env contract: `.mlc-env.json` inside every env, and the
 * results `mlc env ...` reports (with `--json` or over the wire) that the
 * extension renders.
 */
import * as z from 'zod/mini';
import {
  imageIdentitySchema,
  type IImageChange,
  type ImageIdentity
} from './envLife';
import { onFirstUse } from './firstUse';
import { checkJson, parseJson, type ParseResult } from './parseJson';
import { envNameProblem } from './problemText';
import {
  kernelNameProblem,
  recordedPathProblem,
  userPathProblem
} from './problemText';

/** The marker file that makes a directory an mlc env (and safe to remove). */
export const ENV_RECORD_FILE = '.mlc-env.json';

export const ENV_RECORD_VERSION = 1;

/**
 * A string field checked by the validator user input passes too (a record is
 * a file the user can edit: docs/architecture.md, "Names read from files").
 */
function validated(
  problemOf: (value: string) => string | null
): z.ZodMiniString<string> {
  return z.string().check(
    z.superRefine((value: string, context) => {
      const problem = problemOf(value);
      if (problem) {
        context.issues.push({ code: 'custom', message: problem, input: value });
      }
    })
  );
}

/** A creation id: 16 to 64 hex digits, recorded in the env and its kernel. */
export const CREATION_ID_PATTERN = /^[0-9a-f]{16,64}$/;

/** Built on first use: env create never parses a record, env list only a record its plain check refuses. */
export const envRecordSchema = onFirstUse(() =>
  z.object({
    schemaVersion: z.literal(ENV_RECORD_VERSION),
    /** The env's name (the base name of its prefix at creation). */
    name: validated(envNameProblem),
    /** The env's absolute prefix at creation. */
    prefix: validated(recordedPathProblem),
    /** The image env it layers over. */
    basePrefix: validated(recordedPathProblem),
    /** `name:tag` of the base image, empty when the base has no image.json. */
    baseImage: z.string(),
    /** `X.Y` of the base interpreter. */
    python: z.string(),
    /** ISO 8601 creation time. */
    createdAt: z.string(),
    /** How the env is re-entered: straight on the host, or inside the container. */
    mode: z.enum(['host', 'container']),
    /** Container mode: the image path (e.g. the CVMFS sandbox) and bind paths. */
    containerImage: z.optional(validated(userPathProblem)),
    bindPaths: z.optional(z.array(validated(userPathProblem))),
    /** The registered kernel's name, or null when created with --no-kernel. */
    kernelName: z.nullable(validated(kernelNameProblem)),
    /**
     * Random id of this creation, also written into the kernel's metadata, so
     * a remove unregisters only the kernel of the env it removes (a new env
     * made at the same path meanwhile keeps its kernel). Absent in old records.
     */
    creationId: z.optional(z.string().check(z.regex(CREATION_ID_PATTERN))),
    /** The kernel's display name, so `mlc env check --fix` can register it again. */
    displayName: z.optional(z.string()),
    /**
     * The image under the env when it was created or last rebased, to notice
     * an image updated in place (docs/architecture.md, "Env life"). Absent in
     * old records.
     */
    image: z.optional(imageIdentitySchema())
  })
);
export type EnvRecord = z.infer<ReturnType<typeof envRecordSchema>>;

/**
 * Parse the text of `.mlc-env.json`. A record the schema accepts is taken
 * by a plain check first (`mlc env list` reads one per env; building and
 * running the zod schema cost several ms of CPU for 50 envs); anything it
 * does not accept whole goes to the schema, which words the problem.
 * tests/unit/envRecordParse.test.ts holds the two equal.
 */
export function parseEnvRecord(text: string): ParseResult<EnvRecord> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return parseJson(envRecordSchema(), ENV_RECORD_FILE, text);
  }
  const accepted = acceptedEnvRecord(raw);
  return accepted
    ? { ok: true, value: accepted }
    : checkJson(envRecordSchema(), ENV_RECORD_FILE, raw);
}

/**
 * `raw` as the schema would give it (unknown fields dropped, fields in the
 * schema's order) when it is a record the schema accepts in every field;
 * null for anything else, valid or not (the schema decides then).
 */
export function acceptedEnvRecord(raw: unknown): EnvRecord | null {
  const { record, text, checked } = Private;
  if (
    !record(raw) ||
    raw.schemaVersion !== ENV_RECORD_VERSION ||
    !checked(raw.name, envNameProblem) ||
    !checked(raw.prefix, recordedPathProblem) ||
    !checked(raw.basePrefix, recordedPathProblem) ||
    !text(raw.baseImage) ||
    !text(raw.python) ||
    !text(raw.createdAt) ||
    (raw.mode !== 'host' && raw.mode !== 'container') ||
    !(raw.kernelName === null || checked(raw.kernelName, kernelNameProblem))
  ) {
    return null;
  }
  const value: EnvRecord = {
    schemaVersion: raw.schemaVersion,
    name: raw.name,
    prefix: raw.prefix,
    basePrefix: raw.basePrefix,
    baseImage: raw.baseImage,
    python: raw.python,
    createdAt: raw.createdAt,
    mode: raw.mode,
    kernelName: raw.kernelName
  };
  // The optional fields, each absent or valid (present but undefined: the schema's case).
  if ('containerImage' in raw) {
    if (!checked(raw.containerImage, userPathProblem)) {
      return null;
    }
    value.containerImage = raw.containerImage;
  }
  if ('bindPaths' in raw) {
    const paths = raw.bindPaths;
    if (
      !Array.isArray(paths) ||
      !paths.every(item => checked(item, userPathProblem))
    ) {
      return null;
    }
    value.bindPaths = [...(paths as string[])];
  }
  if ('creationId' in raw) {
    if (!text(raw.creationId) || !CREATION_ID_PATTERN.test(raw.creationId)) {
      return null;
    }
    value.creationId = raw.creationId;
  }
  if ('displayName' in raw) {
    if (!text(raw.displayName)) {
      return null;
    }
    value.displayName = raw.displayName;
  }
  if ('image' in raw) {
    const image = Private.imageIdentity(raw.image);
    if (!image) {
      return null;
    }
    value.image = image;
  }
  return Private.inSchemaOrder(value);
}

/** One problem `mlc env check` found. */
export interface IEnvProblem {
  /** Stable code, e.g. `dangling-links`, `no-interpreter`, `kernel-missing`, `base-moved`. */
  code: string;
  message: string;
  /** Whether `mlc env check --fix` repairs it. */
  fixable: boolean;
  /** What to do about it, e.g. `run: mlc env check PREFIX --fix`. */
  hint: string;
}

/** An env as `mlc env list` and `mlc env check` report it. */
export interface IEnvSummary {
  name: string;
  prefix: string;
  basePrefix: string;
  baseImage: string;
  python: string;
  createdAt: string;
  kernelName: string | null;
  /** Empty when healthy. Filled by `check`; `list` fills cheap checks only. */
  problems: IEnvProblem[];
  /** When the image under the env changed since it was built (problem `base-updated`). */
  imageChange?: IImageChange;
  /**
   * The conda installer in the env's base (`micromamba`, `mamba` or
   * `conda`; what `env install --conda` would run), null when it has none.
   * Absent from an mlc that does not look: the launcher then knows only
   * what image.json lists.
   */
  condaInstaller?: string | null;
}

/** The `data` of `mlc env create`'s result event. */
export interface IEnvCreateResult extends IEnvSummary {
  /** The script to source to re-enter the env. */
  activateScript: string;
  /** Wall time of the create, milliseconds (mlc's own work, Node start-up excluded). */
  elapsedMs: number;
  /** `host` or `container` (which re-entry script was written). */
  mode: 'host' | 'container';
  /** What was mirrored from the base (real directories and symlinks made, conda-meta records copied). */
  mirrored: { directories: number; links: number; records: number };
}

/** The `data` of `mlc env list`'s result event. */
export interface IEnvListResult {
  envs: IEnvSummary[];
}

/**
 * The `data` of `mlc env check`'s result event (`command: 'env check'`), one
 * per env checked: `problems` are those left.
 */
export interface IEnvCheckResult extends IEnvSummary {
  /** Problems `--fix` repaired in this run (empty without --fix). */
  fixed: IEnvProblem[];
}

/**
 * `mlc env check PREFIX... | --all` reports one `env check` result per env,
 * then one result with `command: 'env check-summary'` and this `data`: every
 * env's result in the order checked. An env that could not be checked at all
 * (not an env, unreadable) appears with the problem `not-checked`. The exit
 * status is 1 when any problem is left in any env.
 */
export interface IEnvCheckSummary {
  envs: IEnvCheckResult[];
}

/** The `data` of `mlc env install-scripts`'s result event. */
export interface IEnvInstallScriptsResult {
  /** The written `create-newEnv-on-base.sh`. */
  script: string;
  /** The base prefix the script creates envs on. */
  basePrefix: string;
  /** The env plan written into the base (--plan), else absent. */
  plan?: string;
}

/** The `data` of `mlc env remove`'s result event. */
export interface IEnvRemoveResult {
  prefix: string;
  kernelName: string | null;
}

namespace Private {
  export function record(raw: unknown): raw is Record<string, unknown> {
    return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
  }

  export function text(value: unknown): value is string {
    return typeof value === 'string';
  }

  /** A string the validator of user input accepts too (as `validated` in the schema). */
  export function checked(
    value: unknown,
    problemOf: (value: string) => string | null
  ): value is string {
    return typeof value === 'string' && problemOf(value) === null;
  }

  /** The image identity as its schema gives it, or null. */
  export function imageIdentity(raw: unknown): ImageIdentity | null {
    const bounded = (value: unknown): value is string =>
      typeof value === 'string' && value.length <= 4096;
    if (
      !record(raw) ||
      !bounded(raw.reference) ||
      !bounded(raw.buildDate) ||
      !text(raw.packagesDigest) ||
      !/^[0-9a-f]{64}$/.test(raw.packagesDigest) ||
      typeof raw.packageCount !== 'number' ||
      !Number.isSafeInteger(raw.packageCount) ||
      raw.packageCount < 0 ||
      (raw.source !== 'image.json' && raw.source !== 'records')
    ) {
      return null;
    }
    return {
      reference: raw.reference,
      buildDate: raw.buildDate,
      packagesDigest: raw.packagesDigest,
      packageCount: raw.packageCount,
      source: raw.source
    };
  }

  /** The schema's field order (zod gives its output in it). */
  const ORDER = [
    'schemaVersion',
    'name',
    'prefix',
    'basePrefix',
    'baseImage',
    'python',
    'createdAt',
    'mode',
    'containerImage',
    'bindPaths',
    'kernelName',
    'creationId',
    'displayName',
    'image'
  ] as const;

  export function inSchemaOrder(value: EnvRecord): EnvRecord {
    const ordered: Record<string, unknown> = {};
    for (const key of ORDER) {
      if (key in value) {
        ordered[key] = value[key];
      }
    }
    return ordered as EnvRecord;
  }
}
