/**
 * The extended-env commands in the palette (category "ML Containers"):
 * create, check and remove, run through `mlc` in a headless terminal.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { CommandIDs } from '../commandIds';
import { IMLImage, TRANSLATION_DOMAIN } from '../tokens';
import { EnvCommands } from './handlers';
import { mlcCommandFor } from './mlcCommand';
import { TerminalMlcRunner } from './terminalTransport';
import { ExtensionSettings } from '../settings/settings';

export const envsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ml-containers:envs',
  description:
    'Commands to create, check and remove extended envs, run by mlc in a headless terminal.',
  requires: [],
  optional: [ICommandPalette, ISettingRegistry, ITranslator, IMLImage],
  autoStart: true,
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    registry: ISettingRegistry | null,
    translator: ITranslator | null,
    image: IMLImage | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const settings = new ExtensionSettings(registry);
    // The server root is where the file browser starts: relative locations mean the same there.
    const root = PageConfig.getOption('serverRoot');
    const serverRoot = root.startsWith('/') ? root : '';
    // One answer for the runner and for the command to paste.
    const mlcCommand = (): string =>
      mlcCommandFor(settings.mlcCommand, image?.catalog.facts?.prefix);
    const runner = new TerminalMlcRunner({
      terminals: app.serviceManager.terminals,
      mlcCommand,
      cwd: serverRoot || undefined
    });
    const envs = new EnvCommands({
      app,
      runner,
      settings,
      mlcCommand,
      serverRoot,
      trans
    });

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
    app.commands.addCommand(CommandIDs.removeEnv, {
      label: trans.__('Remove Extended Environment…'),
      caption: trans.__(
        'Delete an extended environment and unregister its kernel'
      ),
      execute: () => envs.remove()
    });

    if (palette) {
      const category = trans.__('ML Containers');
      for (const command of [
        CommandIDs.createEnv,
        CommandIDs.checkEnvs,
        CommandIDs.removeEnv
      ]) {
        palette.addItem({ command, category });
      }
    }
  }
};
