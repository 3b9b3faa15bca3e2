/**
 * The conda part of `mlc env rebase ENV`: the env's own conda records
 * installed again, exactly, into the staging sibling (which holds the
 * image's records as the image is now). A record that cannot be had, or
 * that no longer fits the image, fails the rebase with the env unchanged.
 */
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import {
  checkCondaPins,
  runCondaPins,
  type ICondaPinsPlan
} from './condaInstall';
import { condaErrorLine } from './condaRun';
import type { IEnvTarget } from './envChange';

/** Install the plan into the staged env; its log. */
export async function rebuildCondaPins(
  staged: IEnvTarget,
  plan: ICondaPinsPlan,
  context: ICliContext
): Promise<string> {
  try {
    await checkCondaPins(
      staged.envDir,
      staged.record.basePrefix,
      plan,
      context
    );
  } catch (error) {
    if (error instanceof UserError) {
      throw new UserError(
        `the env's conda packages do not fit the image as it is now: ${error.message}; the env is unchanged`,
        'uninstall or change the package named (mlc env uninstall --conda / install --conda), then rebase again',
        1
      );
    }
    throw error;
  }
  const run = await runCondaPins(staged.envDir, plan, context);
  if (run.stopped || run.code !== 0) {
    throw new UserError(
      `${plan.installer.name} could not install the env's conda packages again: ${run.stopped ?? condaErrorLine(run.log)}; the env is unchanged`,
      'run it again once the channel is reachable',
      1
    );
  }
  return run.log;
}
