/**
 * The env a command acts on when it is run from a tile's menu (args
 * `{ prefix }`): checked like user input, and named from what IMLImage knows.
 */
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { BASE_UPDATED } from '../../core/envLife';
import type { IEnvSummary } from '../../core/envRecord';
import { hasControlCharacter } from '../../core/quote';
import type { IMLImage } from '../tokens';

/** What a dialog needs of the env it acts on. */
export type EnvTarget = Pick<IEnvSummary, 'name' | 'prefix' | 'kernelName'>;

/** The env named by a command's `prefix` argument, or null without one (then the command asks). */
export function targetFromArgs(
  args: ReadonlyPartialJSONObject,
  image: IMLImage | null
): EnvTarget | null {
  const prefix = args.prefix;
  if (
    typeof prefix !== 'string' ||
    !prefix.startsWith('/') ||
    hasControlCharacter(prefix)
  ) {
    return null;
  }
  const report = image?.envReports.get(prefix);
  if (report) {
    return report;
  }
  const kernel = image?.catalog.envKernels.find(
    candidate => candidate.envPrefix === prefix
  );
  return {
    prefix,
    name: kernel?.envName ?? prefix.slice(prefix.lastIndexOf('/') + 1),
    kernelName: kernel?.name ?? null
  };
}

/** The `base-updated` problem mlc reported for the env at `prefix`, or null. */
export function imageUpdateOf(
  image: IMLImage | null,
  prefix: string
): IEnvSummary['problems'][number] | null {
  return (
    image?.envReports
      .get(prefix)
      ?.problems.find(problem => problem.code === BASE_UPDATED) ?? null
  );
}
