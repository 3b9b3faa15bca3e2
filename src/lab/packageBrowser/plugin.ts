/**
 * The package browser: one tab listing the image's packages, opened from the
 * image card or the command palette ("Show Image Packages"), and restored
 * with the layout.
 */
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  type MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { listIcon } from '@jupyterlab/ui-components';
import { CommandIDs } from '../commandIds';
import { IMLImage, TRANSLATION_DOMAIN } from '../tokens';
import {
  createPackageBrowser,
  type PackageBrowserWidget
} from './packageWidget';

export const packagesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ml-containers:packages',
  description:
    'Lists the packages of the ML image: name, version and source, searchable and sortable.',
  requires: [IMLImage],
  optional: [ICommandPalette, ITranslator, ILayoutRestorer],
  autoStart: true,
  activate: (
    app: JupyterFrontEnd,
    image: IMLImage,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const tracker = new WidgetTracker<MainAreaWidget<PackageBrowserWidget>>({
      namespace: 'ml-containers-packages'
    });

    app.commands.addCommand(CommandIDs.showPackages, {
      label: trans.__('Show Image Packages'),
      caption: trans.__(
        'List the packages of the ML image this JupyterLab runs on'
      ),
      icon: listIcon,
      execute: () => {
        let widget = tracker.currentWidget;
        if (!widget || widget.isDisposed) {
          widget = createPackageBrowser(image, trans);
          void tracker.add(widget);
          app.shell.add(widget, 'main');
        }
        app.shell.activateById(widget.id);
        return widget;
      }
    });
    palette?.addItem({
      command: CommandIDs.showPackages,
      category: trans.__('ML Containers')
    });
    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.showPackages,
        name: () => 'packages'
      });
    }
  }
};
