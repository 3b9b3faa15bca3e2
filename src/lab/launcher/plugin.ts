/**
 * The launcher section: above the body of every Launcher tab, the image card,
 * the image's kernels, the user's extended envs and a note on foreign
 * kernels. Without a launcher (ILauncher is optional) it does nothing.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ILauncher } from '@jupyterlab/launcher';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { CommandIDs, ENV_MENU_COMMANDS } from '../commandIds';
import { openEnvMenu } from './envMenu';
import { IMLImage, TRANSLATION_DOMAIN } from '../tokens';
import type { LaunchKind } from './kernelTile';
import { watchLaunchers } from './launcherWatch';
import { LAUNCH_COMMANDS, openKernel } from './openKernel';
import { LauncherSectionWidget } from './sectionWidget';
import { ExtensionSettings } from '../settings/settings';
import { filterStockCards } from './stockCards';

export const launcherPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ml-containers:launcher',
  description:
    'Shows the ML image, its kernels and the extended envs at the top of every Launcher.',
  requires: [IMLImage],
  optional: [ILauncher, ITranslator, ISettingRegistry],
  autoStart: true,
  activate: (
    app: JupyterFrontEnd,
    image: IMLImage,
    launcher: ILauncher | null,
    translator: ITranslator | null,
    registry: ISettingRegistry | null
  ): void => {
    if (!launcher) {
      return; // no Launcher tabs to add a section to
    }
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const settings = new ExtensionSettings(registry, trans.__('ML Image'));
    const { commands } = app;

    // Our kernels appear once, in the section; other kernels stay in the stock sections.
    const claimed = (name: string): boolean =>
      !settings.showStockCards &&
      (image.catalog.imageKernels.some(kernel => kernel.name === name) ||
        image.catalog.envKernels.some(kernel => kernel.name === name) ||
        // A deleted env's kernel shows nowhere (src/cli/env/danglingKernels.ts).
        image.catalog.danglingKernels.some(kernel => kernel.name === name));
    const stockCards = filterStockCards(launcher, claimed);
    image.changed.connect(stockCards.refresh);
    settings.changed.connect(stockCards.refresh);

    const kinds = (): LaunchKind[] =>
      (['notebook', 'console'] as const).filter(kind =>
        commands.hasCommand(LAUNCH_COMMANDS[kind])
      );

    watchLaunchers(app, host => {
      host.addClass('jp-MLC-launcherHost');
      const section = new LauncherSectionWidget({
        image,
        settings,
        trans,
        onOpen: (kernelName, kind) =>
          void openKernel(app, host, kernelName, kind, trans),
        onShowPackages: () => void commands.execute(CommandIDs.showPackages),
        canShowPackages: () => commands.hasCommand(CommandIDs.showPackages),
        onCreateEnv: () => void commands.execute(CommandIDs.createEnv),
        canCreateEnv: () => commands.hasCommand(CommandIDs.createEnv),
        kinds,
        onEnvMenu: (prefix, anchor) =>
          openEnvMenu(commands, ENV_MENU_COMMANDS, { prefix }, anchor),
        onImageUpdate: prefix =>
          void commands.execute(CommandIDs.rebaseEnv, { prefix }),
        onCheckEnvs: () => void commands.execute(CommandIDs.checkEnvs),
        onEnvTilesPainted: () => {
          if (commands.hasCommand(CommandIDs.sessionEnvCheck)) {
            void commands.execute(CommandIDs.sessionEnvCheck);
          }
        }
      });
      host.contentHeader.addWidget(section);
    });
  }
};
