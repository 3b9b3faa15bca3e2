/**
 * The conda part of `mlc env rollback ENV N`: remove the env's conda
 * packages revision N did not have, install N's records exactly
 * (`name==version=build` from each record's channel or the installer's
 * cache). Checked with the installer's dry run before anything is written,
 * so a package that cannot be had is one line and the env unchanged.
 */
import { normalizeName, type CondaPin } from '../../core/envLife';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import {
  checkCondaPins,
  condaPinsPlan,
  runCondaPins,
  type ICondaPinsPlan
} from './condaInstall';
import {
  condaEnvironment,
  findCondaInstaller,
  runConda,
  type ICondaInstaller
} from './condaRun';
import { restoreImagePackages } from './condaRestore';
import { installTimeoutMs, type IEnvTarget } from './envChange';
import type { IPipRun } from './pipRun';

export interface ICondaRollbackPlan {
  installer: ICondaInstaller;
  /** Names to remove first. */
  remove: string[];
  /** The records to install, or null when none. */
  install: ICondaPinsPlan | null;
}

/** What brings the env's conda records from `now` to `goal`; null when they are equal. */
export function condaRollbackPlan(
  target: IEnvTarget,
  now: readonly CondaPin[],
  goal: readonly CondaPin[]
): ICondaRollbackPlan | null {
  const key = (pin: CondaPin): string =>
    `${normalizeName(pin.name)} ${pin.version} ${pin.build}`;
  const present = new Set(now.map(key));
  const goalNames = new Set(goal.map(pin => normalizeName(pin.name)));
  const remove = now
    .filter(pin => !goalNames.has(normalizeName(pin.name)))
    .map(pin => pin.name);
  const install = goal.filter(pin => !present.has(key(pin)));
  if (!remove.length && !install.length) {
    return null;
  }
  return {
    installer: findCondaInstaller(target.record.basePrefix),
    remove,
    install: install.length
      ? condaPinsPlan(target.record.basePrefix, install)
      : null
  };
}

/** Before anything is written: every record to install can be had, and none touches the image's. */
export async function checkCondaRollback(
  target: IEnvTarget,
  plan: ICondaRollbackPlan,
  number: number,
  context: ICliContext
): Promise<void> {
  if (!plan.install) {
    return;
  }
  try {
    await checkCondaPins(
      target.envDir,
      target.record.basePrefix,
      plan.install,
      context
    );
  } catch (error) {
    if (error instanceof UserError) {
      throw new UserError(
        `cannot roll back to revision ${number}: ${error.message}; the env is unchanged`,
        "make the channel reachable (or the packages available in the installer's cache) and try again",
        1
      );
    }
    throw error;
  }
}

/** Remove, then install; the runs in order (the caller stops at the first failed one). */
export async function applyCondaRollback(
  target: IEnvTarget,
  plan: ICondaRollbackPlan,
  context: ICliContext
): Promise<IPipRun[]> {
  const runs: IPipRun[] = [];
  if (plan.remove.length) {
    context.reporter.progress(
      `removing conda package(s) ${plan.remove.join(' ')}`,
      'install'
    );
    const run = await runConda(
      plan.installer,
      'remove',
      target.envDir,
      plan.remove,
      {
        env: condaEnvironment(context.env),
        timeoutMs: installTimeoutMs(context),
        channels: [],
        dryRun: false
      }
    );
    runs.push(run);
    if (run.stopped || run.code !== 0) {
      return runs;
    }
    restoreImagePackages(target, plan.remove);
  }
  if (plan.install) {
    runs.push(await runCondaPins(target.envDir, plan.install, context));
  }
  return runs;
}
