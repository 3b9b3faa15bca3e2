/**
 * The `data` of `mlc env ...` result events, checked before the UI uses it:
 * it crossed a terminal, and an `mlc` of another version may have sent it.
 */
import * as z from 'zod/mini';
import { zodMessages } from '../../core/zodMessages';
import type { IEnvCreateResult, IEnvSummary } from '../../core/envRecord';
import type {
  IEnvExportResult,
  IEnvHistoryResult,
  IEnvInstallResult,
  IEnvRebaseResult,
  IEnvRollbackResult
} from '../../core/envLife';
import { imageIdentitySchema } from '../../core/envLife';
import type { IMlcOutcome } from './terminalTransport';

const problemSchema = z.object({
  code: z.string(),
  message: z.string(),
  fixable: z.boolean(),
  hint: z._default(z.string(), '')
});

const imageSchema = imageIdentitySchema();

const versionChange = z.object({
  name: z.string(),
  from: z.string(),
  to: z.string()
});
const versioned = z.object({ name: z.string(), version: z.string() });

const imageChangeSchema = z.object({
  recorded: imageSchema,
  current: imageSchema,
  recordedBuild: z.string(),
  currentBuild: z.string(),
  upgraded: z.array(versionChange),
  added: z.array(versioned),
  removed: z.array(versioned)
});

const summarySchema = z.object({
  name: z.string(),
  prefix: z.string(),
  basePrefix: z.string(),
  baseImage: z.string(),
  python: z.string(),
  createdAt: z.string(),
  kernelName: z.nullable(z.string()),
  problems: z.array(problemSchema),
  imageChange: z.optional(imageChangeSchema),
  condaInstaller: z.optional(z.nullable(z.string()))
});

const packageChangeSchema = z.object({
  name: z.string(),
  from: z.nullable(z.string()),
  to: z.nullable(z.string()),
  kind: z.enum(['install', 'upgrade', 'downgrade', 'reinstall', 'remove']),
  installer: z.enum(['pip', 'conda'])
});

const installSchema = z.object({
  prefix: z.string(),
  installer: z.enum(['pip', 'conda']),
  dryRun: z.boolean(),
  specs: z.array(z.string()),
  changes: z.array(packageChangeSchema),
  shadowed: z.array(
    z.object({
      name: z.string(),
      imageVersion: z.string(),
      envVersion: z.string()
    })
  ),
  refused: z.nullable(z.string()),
  revision: z.nullable(z.number()),
  logFile: z.nullable(z.string()),
  elapsedMs: z.number()
});

const pinSchema = z.object({ name: z.string(), version: z.string() });

const revisionSummarySchema = z.object({
  number: z.number(),
  time: z.string(),
  command: z.enum(['create', 'install', 'uninstall', 'rollback', 'rebase']),
  args: z.array(z.string()),
  image: imageSchema,
  python: z.string(),
  pip: z.array(pinSchema),
  conda: z.array(pinSchema),
  changes: z.array(packageChangeSchema)
});

const historySchema = z.object({
  prefix: z.string(),
  revisions: z.array(revisionSummarySchema),
  current: z.number(),
  matchesCurrent: z.boolean(),
  unreadable: z.array(z.string())
});

const rollbackSchema = z.object({
  prefix: z.string(),
  target: z.number(),
  revision: z.nullable(z.number()),
  changes: z.array(packageChangeSchema),
  logFile: z.nullable(z.string()),
  elapsedMs: z.number()
});

const exportSchema = z.object({
  prefix: z.string(),
  file: z.nullable(z.string())
});

const rebaseSchema = z.object({
  prefix: z.string(),
  from: imageSchema,
  to: imageSchema,
  revision: z.nullable(z.number()),
  previous: z.number(),
  imported: z.array(z.string()),
  pipCheck: z.string(),
  logFile: z.nullable(z.string()),
  elapsedMs: z.number()
});

/** The parts of each env-life result the dialogs use. */
export type InstallResult = Pick<
  IEnvInstallResult,
  keyof z.infer<typeof installSchema>
>;
export type HistoryResult = Omit<IEnvHistoryResult, 'revisions'> & {
  revisions: z.infer<typeof revisionSummarySchema>[];
};
export type RevisionSummary = z.infer<typeof revisionSummarySchema>;
export type RollbackResult = Pick<
  IEnvRollbackResult,
  keyof z.infer<typeof rollbackSchema>
>;
export type ExportResult = Pick<
  IEnvExportResult,
  keyof z.infer<typeof exportSchema>
>;
export type RebaseResult = Omit<IEnvRebaseResult, 'from' | 'to'> & {
  from: z.infer<typeof imageSchema>;
  to: z.infer<typeof imageSchema>;
};

/** The `data` of the first result of `command` that passes `schema`, else null. */
function resultOf<T>(
  outcome: IMlcOutcome,
  command: string,
  schema: z.ZodMiniType<T>
): T | null {
  for (const result of outcome.results) {
    if (result.command !== command) {
      continue;
    }
    zodMessages();
    const parsed = schema.safeParse(result.data);
    if (parsed.success) {
      return parsed.data;
    }
  }
  return null;
}

/** `env install` / `env install --dry-run`'s result. */
export function installResult(outcome: IMlcOutcome): InstallResult | null {
  return resultOf(outcome, 'env install', installSchema);
}

/** `env uninstall` reports the same shape as `env install`. */
export function uninstallResult(outcome: IMlcOutcome): InstallResult | null {
  return resultOf(outcome, 'env uninstall', installSchema);
}

export function historyResult(outcome: IMlcOutcome): HistoryResult | null {
  return resultOf(outcome, 'env history', historySchema);
}

export function rollbackResult(outcome: IMlcOutcome): RollbackResult | null {
  return resultOf(outcome, 'env rollback', rollbackSchema);
}

export function exportResult(outcome: IMlcOutcome): ExportResult | null {
  return resultOf(outcome, 'env export', exportSchema);
}

export function rebaseResult(outcome: IMlcOutcome): RebaseResult | null {
  return resultOf(outcome, 'env rebase', rebaseSchema);
}

const daskConfigSchema = z.object({
  env: z.string(),
  file: z.string(),
  panel: z.optional(z.string()),
  fingerprint: z.string()
});

/** What the Scale Out dialog shows of `mlc env dask-config`'s result. */
export type DaskConfigResult = z.infer<typeof daskConfigSchema>;

export function daskConfigResult(
  outcome: IMlcOutcome
): DaskConfigResult | null {
  return resultOf(outcome, 'env dask-config', daskConfigSchema);
}

/** What the UI uses of `IEnvCreateResult` (the rest it neither shows nor needs). */
const createSchema = z.extend(summarySchema, {
  activateScript: z.string(),
  elapsedMs: z.number()
});

export type CreatedEnv = Pick<
  IEnvCreateResult,
  keyof z.infer<typeof createSchema>
>;

/** Every env summary in the outcome's results (a result may hold one or a list). */
export function envSummaries(outcome: IMlcOutcome): IEnvSummary[] {
  const found: IEnvSummary[] = [];
  for (const { data } of outcome.results) {
    const items: unknown[] = Array.isArray(data)
      ? data
      : Private.isRecord(data) && Array.isArray(data.envs)
        ? data.envs
        : [data];
    for (const item of items) {
      zodMessages();
      const parsed = summarySchema.safeParse(item);
      if (parsed.success) {
        found.push(parsed.data);
      }
    }
  }
  return found;
}

/** The command of the result that closes a check of several envs. */
export const CHECK_SUMMARY_COMMAND = 'env check-summary';

/**
 * The envs a check run reported, each once (by prefix, in order): the
 * closing `env check-summary` when it came, else the `env check` results
 * (a run cut short, or an mlc that checks one env per run). Null when the
 * outcome holds neither, e.g. when mlc failed before checking anything.
 */
export function checkedEnvs(outcome: IMlcOutcome): IEnvSummary[] | null {
  const summary = outcome.results.filter(
    result => result.command === CHECK_SUMMARY_COMMAND
  );
  const perEnv = outcome.results.filter(
    result => result.command === 'env check'
  );
  const chosen = summary.length > 0 ? summary : perEnv;
  if (chosen.length === 0) {
    return null;
  }
  const byPrefix = new Map<string, IEnvSummary>();
  for (const env of envSummaries({ ...outcome, results: chosen })) {
    byPrefix.set(env.prefix, env);
  }
  return [...byPrefix.values()];
}

/** The create result, or null when the outcome holds none. */
export function createResult(outcome: IMlcOutcome): CreatedEnv | null {
  for (const { data } of outcome.results) {
    zodMessages();
    const parsed = createSchema.safeParse(data);
    if (parsed.success) {
      return parsed.data;
    }
  }
  return null;
}

namespace Private {
  export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null;
  }
}
