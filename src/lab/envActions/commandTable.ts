/**
 * The env commands as data: for each command ID (src/lab/commandIds.ts),
 * its labels, caption and action over the env a tile's menu passes (args
 * `{ prefix }`), or over none (from the palette: the command asks which
 * env). plugin.ts registers them in one loop, and adds them to the palette
 * in this order.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { CommandIDs } from '../commandIds';
import type { IMLImage } from '../tokens';
import { imageUpdateOf, type EnvTarget } from './envTarget';
import type { EnvCommands } from './handlers';
import type { EnvLifeCommands } from './lifeCommands';

export interface IEnvCommand {
  id: string;
  /** The label in the palette (and everywhere without an env). */
  label: string;
  /** The label in a tile's menu, where the env goes without saying; absent: the palette's. */
  tileLabel?: string;
  caption: string;
  /** Run over the tile's env, or null: ask for one (or need none). */
  run: (target: EnvTarget | null) => Promise<unknown>;
  /** In a tile's menu only for the envs this accepts; absent: for every env. */
  inTileMenu?: (prefix: string) => boolean;
}

export interface IEnvCommandTableOptions {
  envs: EnvCommands;
  life: EnvLifeCommands;
  image: IMLImage | null;
  trans: TranslationBundle;
}

/** Every env command, in palette order. */
export function envCommandTable(
  options: IEnvCommandTableOptions
): IEnvCommand[] {
  const { envs, life, image, trans } = options;
  return [
    {
      id: CommandIDs.createEnv,
      label: trans.__('Create Extended Environment…'),
      caption: trans.__(
        'Layer your own packages over the image environment, with a kernel'
      ),
      run: () => envs.create()
    },
    {
      id: CommandIDs.checkEnvs,
      label: trans.__('Check Extended Environments'),
      caption: trans.__(
        'List your extended environments with their problems, and fix them'
      ),
      run: () => envs.check()
    },
    {
      id: CommandIDs.addPackages,
      label: trans.__('Add Packages to an Extended Environment…'),
      tileLabel: trans.__('Add Packages…'),
      caption: trans.__(
        'Preview and install packages into an extended environment; the image stays as it is'
      ),
      run: target => life.addPackages(target)
    },
    {
      id: CommandIDs.removePackages,
      label: trans.__('Remove Packages from an Extended Environment…'),
      tileLabel: trans.__('Remove Packages…'),
      caption: trans.__(
        "Preview and uninstall an extended environment's own packages; the image's stay"
      ),
      run: target => life.removePackages(target)
    },
    {
      id: CommandIDs.envHistory,
      label: trans.__('Extended Environment History…'),
      tileLabel: trans.__('History…'),
      caption: trans.__(
        "An extended environment's changes, each with a rollback"
      ),
      run: target => life.history(target)
    },
    {
      id: CommandIDs.exportEnv,
      label: trans.__('Export Extended Environment…'),
      tileLabel: trans.__('Export…'),
      caption: trans.__(
        "Write the environment's lock file into the file browser's folder, to recreate it elsewhere"
      ),
      run: target => life.exportEnv(target)
    },
    {
      id: CommandIDs.rebaseEnv,
      label: trans.__('Rebase Extended Environment…'),
      tileLabel: trans.__('Rebase…'),
      caption: trans.__(
        "Rebuild the environment's packages on the updated image, keeping the old state to roll back to"
      ),
      run: target => life.rebase(target),
      // Only where the image under that env changed.
      inTileMenu: prefix => imageUpdateOf(image, prefix) !== null
    },
    {
      id: CommandIDs.daskConfig,
      label: trans.__('Scale Out an Extended Environment with Dask…'),
      tileLabel: trans.__('Scale Out with Dask…'),
      caption: trans.__(
        'Write the Dask configuration so that SLURMCluster() and the Dask panel start workers as Slurm jobs running this environment in its image'
      ),
      run: target => life.daskConfig(target)
    },
    {
      id: CommandIDs.removeEnv,
      label: trans.__('Remove Extended Environment…'),
      tileLabel: trans.__('Remove…'),
      caption: trans.__(
        'Delete an extended environment and unregister its kernel'
      ),
      run: target => envs.remove(target)
    }
  ];
}
