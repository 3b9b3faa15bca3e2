/**
 * The extended-env commands (palette category "ML Containers", and the menu
 * of each env tile in the launcher): create, check, add packages, history,
 * export, rebase and remove, run through `mlc` in a headless terminal
 * (registered in one loop from the table in commandTable.ts); and the one `mlc env list` of a session (run when the launcher section has
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
import { CommandIDs } from '../commandIds';
import { IMLImage, TRANSLATION_DOMAIN } from '../tokens';
import { envCommandTable } from './commandTable';
import { envLocationDir } from './envPath';
import { targetFromArgs } from './envTarget';
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
    const table = envCommandTable({ envs, life, image, trans });
    for (const command of table) {
      const { tileLabel, label, inTileMenu } = command;
      app.commands.addCommand(command.id, {
        label: args => (args.prefix && tileLabel ? tileLabel : label),
        caption: command.caption,
        ...(inTileMenu && {
          isVisible: args =>
            typeof args.prefix !== 'string' || inTileMenu(args.prefix)
        }),
        execute: args => command.run(targetFromArgs(args, image))
      });
    }

    if (palette) {
      const category = trans.__('ML Containers');
      for (const { id } of table) {
        palette.addItem({ command: id, category });
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
