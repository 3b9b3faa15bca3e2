/**
 * The extended-env commands (palette category "ML Containers", and the menu
 * of each env tile in the launcher): create, check, add packages, history,
 * export, rebase and remove, run through `mlc` in a headless terminal; and
 * the one `mlc env list` of a session (run when the launcher section has
 * painted its env tiles) that tells the launcher about image updates and
 * envs deleted by hand.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { CommandIDs } from '../commandIds';
import { IMLImage, TRANSLATION_DOMAIN } from '../tokens';
import { envLocationDir } from './envPath';
import { imageUpdateOf, targetFromArgs } from './envTarget';
import { EnvCommands } from './handlers';
import { EnvLifeCommands } from './lifeCommands';
import { mlcCommandFor } from './mlcCommand';
import { SessionEnvCheck } from './sessionCheck';
import { TerminalMlcRunner } from './terminalTransport';
import { ExtensionSettings } from '../settings/settings';

export const envsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ml-containers:envs',
  description:
    'Commands to create, check, change and remove extended envs, run by mlc in a headless terminal.',
  requires: [],
  optional: [
    ICommandPalette,
    ISettingRegistry,
    ITranslator,
    IMLImage,
    IDefaultFileBrowser
  ],
  autoStart: true,
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    registry: ISettingRegistry | null,
    translator: ITranslator | null,
    image: IMLImage | null,
    fileBrowser: IDefaultFileBrowser | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const settings = new ExtensionSettings(registry);
    // The server root is where the file browser starts: relative locations mean the same there.
    const root = PageConfig.getOption('serverRoot');
    const serverRoot = root.startsWith('/') ? root : '';
    // One answer for the runner and for the command to paste.
    const mlcCommand = (): string =>
      mlcCommandFor(settings.mlcCommand, image?.catalog.facts?.prefix);
    const runnerOptions = {
      terminals: app.serviceManager.terminals,
      mlcCommand,
      cwd: serverRoot || undefined
    };
    const runner = new TerminalMlcRunner(runnerOptions);
    const envs = new EnvCommands({
      app,
      runner,
      settings,
      mlcCommand,
      serverRoot,
      trans,
      image
    });
    const life = new EnvLifeCommands({
      runner,
      envs,
      image,
      serverRoot,
      currentFolder: () => fileBrowser?.model.path ?? null,
      trans
    });
    const target = (args: ReadonlyPartialJSONObject) =>
      targetFromArgs(args, image);

    app.commands.addCommand(CommandIDs.createEnv, {
      label: trans.__('Create Extended Environment…'),
      caption: trans.__(
        'Layer your own packages over the image environment, with a kernel'
      ),
      execute: () => envs.create()
    });
    app.commands.addCommand(CommandIDs.checkEnvs, {
      label: trans.__('Check Extended Environments'),
      caption: trans.__(
        'List your extended environments with their problems, and fix them'
      ),
      execute: () => envs.check()
    });
    app.commands.addCommand(CommandIDs.addPackages, {
      label: args =>
        args.prefix
          ? trans.__('Add Packages…')
          : trans.__('Add Packages to an Extended Environment…'),
      caption: trans.__(
        'Preview and install packages into an extended environment; the image stays as it is'
      ),
      execute: args => life.addPackages(target(args))
    });
    app.commands.addCommand(CommandIDs.removePackages, {
      label: args =>
        args.prefix
          ? trans.__('Remove Packages…')
          : trans.__('Remove Packages from an Extended Environment…'),
      caption: trans.__(
        "Preview and uninstall an extended environment's own packages; the image's stay"
      ),
      execute: args => life.removePackages(target(args))
    });
    app.commands.addCommand(CommandIDs.envHistory, {
      label: args =>
        args.prefix
          ? trans.__('History…')
          : trans.__('Extended Environment History…'),
      caption: trans.__(
        "An extended environment's changes, each with a rollback"
      ),
      execute: args => life.history(target(args))
    });
    app.commands.addCommand(CommandIDs.exportEnv, {
      label: args =>
        args.prefix
          ? trans.__('Export…')
          : trans.__('Export Extended Environment…'),
      caption: trans.__(
        "Write the environment's lock file into the file browser's folder, to recreate it elsewhere"
      ),
      execute: args => life.exportEnv(target(args))
    });
    app.commands.addCommand(CommandIDs.rebaseEnv, {
      label: args =>
        args.prefix
          ? trans.__('Rebase…')
          : trans.__('Rebase Extended Environment…'),
      caption: trans.__(
        "Rebuild the environment's packages on the updated image, keeping the old state to roll back to"
      ),
      // In a tile's menu only when the image under that env changed.
      isVisible: args =>
        typeof args.prefix !== 'string' ||
        imageUpdateOf(image, args.prefix) !== null,
      execute: args => life.rebase(target(args))
    });
    app.commands.addCommand(CommandIDs.daskConfig, {
      label: args =>
        args.prefix
          ? trans.__('Scale Out with Dask…')
          : trans.__('Scale Out an Extended Environment with Dask…'),
      caption: trans.__(
        'Write the Dask configuration so that SLURMCluster() and the Dask panel start workers as Slurm jobs running this environment in its image'
      ),
      execute: args => life.daskConfig(target(args))
    });
    app.commands.addCommand(CommandIDs.removeEnv, {
      label: args =>
        args.prefix
          ? trans.__('Remove…')
          : trans.__('Remove Extended Environment…'),
      caption: trans.__(
        'Delete an extended environment and unregister its kernel'
      ),
      execute: args => envs.remove(target(args))
    });

    if (palette) {
      const category = trans.__('ML Containers');
      for (const command of [
        CommandIDs.createEnv,
        CommandIDs.checkEnvs,
        CommandIDs.addPackages,
        CommandIDs.removePackages,
        CommandIDs.envHistory,
        CommandIDs.exportEnv,
        CommandIDs.rebaseEnv,
        CommandIDs.daskConfig,
        CommandIDs.removeEnv
      ]) {
        palette.addItem({ command, category });
      }
    }

    if (image) {
      const check = new SessionEnvCheck({
        image,
        // Its own runner: a dialog's prepared session stays the dialog's.
        runner: new TerminalMlcRunner(runnerOptions),
        dirs: () => [envLocationDir(settings.envLocation, serverRoot)]
      });
      app.commands.addCommand(CommandIDs.sessionEnvCheck, {
        label: trans.__('Look for Updates of the Extended Environments'),
        caption: trans.__(
          'Once per session: whether the image under an env changed, and which envs were deleted by hand'
        ),
        execute: async () => {
          await settings.ready;
          return check.run();
        }
      });
    }
  }
};
