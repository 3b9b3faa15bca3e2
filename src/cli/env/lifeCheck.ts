/**
 * What `env list` and `env check` say about an env's life (docs/architecture.md,
 * "Env life"): the image updated under it since it was built (`base-updated`,
 * with the package differences), and a change that did not finish
 * (`change-interrupted`: the env unchanged, or restorable by rollback).
 */
import { isProcessAlive } from '../fs/probes';
import {
  BASE_UPDATED,
  CHANGE_INTERRUPTED,
  imageChangeText,
  type IImageChange
} from '../../core/envLife';
import type { EnvRecord, IEnvProblem } from '../../core/envRecord';
import { shQuote } from '../../core/quote';
import { currentImage, imageChange, sameImage } from './imageIdentity';
import {
  clearPending,
  envPackages,
  readPending,
  readRevision,
  readImagePackages,
  samePackages
} from './revisions';

export interface ILifeFindings {
  problems: IEnvProblem[];
  imageChange?: IImageChange;
}

/**
 * The image notice and the unfinished change of the env at `envDir`. Only
 * an image with image.json is compared (a base without one is covered by
 * the `base-records` check).
 */
export function lifeFindings(envDir: string, record: EnvRecord): ILifeFindings {
  const problems: IEnvProblem[] = [];
  const quoted = shQuote(envDir, 'always');
  let change: IImageChange | undefined;
  if (record.image?.source === 'image.json') {
    const current = currentImage(record.basePrefix, record.python);
    if (
      current.identity.source === 'image.json' &&
      !sameImage(record.image, current.identity)
    ) {
      const recorded = readImagePackages(envDir);
      change = imageChange(
        recorded &&
          recorded.identity.packagesDigest === record.image.packagesDigest
          ? recorded
          : { identity: record.image, packages: [] },
        current
      );
      problems.push({
        code: BASE_UPDATED,
        message: imageChangeText(change),
        fixable: false,
        hint: `rebuild the env's packages on it: mlc env rebase ${quoted}`
      });
    }
  }
  const pending = pendingFinding(envDir, record);
  if (pending) {
    problems.push(pending);
  }
  return { problems, ...(change ? { imageChange: change } : {}) };
}

/** `--fix`: forget an unfinished change that left the env as it was. */
export function fixUnfinishedChange(
  envDir: string,
  record: EnvRecord
): boolean {
  const finding = pendingFinding(envDir, record);
  if (finding?.fixable) {
    clearPending(envDir);
    return true;
  }
  return false;
}

function pendingFinding(envDir: string, record: EnvRecord): IEnvProblem | null {
  const pending = readPending(envDir);
  if (!pending || isProcessAlive(pending.pid)) {
    return null;
  }
  const quoted = shQuote(envDir, 'always');
  const from =
    pending.fromRevision > 0
      ? readRevision(envDir, pending.fromRevision)
      : null;
  const unchanged =
    from?.ok === true &&
    samePackages(from.value, envPackages(envDir, record.python));
  return unchanged
    ? {
        code: CHANGE_INTERRUPTED,
        message: `mlc env ${pending.command} did not finish; the env is unchanged (revision ${pending.fromRevision})`,
        fixable: true,
        hint: `run: mlc env check ${quoted} --fix`
      }
    : {
        code: CHANGE_INTERRUPTED,
        message: `mlc env ${pending.command} did not finish and changed the env part way`,
        fixable: false,
        hint:
          pending.fromRevision > 0
            ? `restore it: mlc env rollback ${quoted} ${pending.fromRevision}`
            : `see mlc env history ${quoted}`
      };
}
