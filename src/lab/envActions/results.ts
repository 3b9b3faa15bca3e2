/**
 * The `data` of `mlc env ...` result events, checked before the UI uses it:
 * it crossed a terminal, and an `mlc` of another version may have sent it.
 */
import * as z from 'zod/mini';
import { zodMessages } from '../../core/zodMessages';
import type { IEnvCreateResult, IEnvSummary } from '../../core/envRecord';
import type { IMlcOutcome } from './terminalTransport';

const problemSchema = z.object({
  code: z.string(),
  message: z.string(),
  fixable: z.boolean(),
  hint: z._default(z.string(), '')
});

const summarySchema = z.object({
  name: z.string(),
  prefix: z.string(),
  basePrefix: z.string(),
  baseImage: z.string(),
  python: z.string(),
  createdAt: z.string(),
  kernelName: z.nullable(z.string()),
  problems: z.array(problemSchema)
});

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
