/**
 * The extended-env contract: `.mlc-env.json` inside every env, and the
 * results `mlc env ...` reports (with `--json` or over the wire) that the
 * extension renders.
 */
import * as z from 'zod/mini';
import { imageIdentitySchema, type IImageChange } from './envLife';
import { parseJson, type ParseResult } from './parseJson';
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

/** Built on first use (z.lazy caches it): env create never parses a record. */
export const envRecordSchema = z.lazy(() =>
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
    image: z.optional(imageIdentitySchema)
  })
);
export type EnvRecord = z.infer<typeof envRecordSchema>;

/** Parse the text of `.mlc-env.json`. */
export function parseEnvRecord(text: string): ParseResult<EnvRecord> {
  return parseJson(envRecordSchema, ENV_RECORD_FILE, text);
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
