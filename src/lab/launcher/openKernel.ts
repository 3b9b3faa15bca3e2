/**
 * What a tile does: the stock launcher's own commands with the kernel chosen,
 * and, as the stock launcher does, the new tab takes the launcher's place.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { StockCommandIDs } from '../commandIds';
import type { LaunchKind } from './kernelTile';
import type { LauncherHost } from './launcherWatch';

/** The commands of notebook-extension and console-extension. */
export const LAUNCH_COMMANDS: Record<LaunchKind, string> = {
  notebook: StockCommandIDs.notebookCreateNew,
  console: StockCommandIDs.consoleCreate
};

export async function openKernel(
  app: JupyterFrontEnd,
  host: LauncherHost,
  kernelName: string,
  kind: LaunchKind,
  trans: TranslationBundle
): Promise<void> {
  const launcher = host.content;
  // Shared with the stock cards: one launch at a time per launcher.
  if (launcher.pending) {
    return;
  }
  launcher.pending = true;
  const cwd = launcher.cwd;
  const args =
    kind === 'notebook'
      ? { cwd, kernelName, isLauncher: true }
      : { cwd, kernelPreference: { name: kernelName }, isLauncher: true };
  try {
    const widget: unknown = await app.commands.execute(
      LAUNCH_COMMANDS[kind],
      args
    );
    if (
      widget instanceof Widget &&
      !host.isDisposed &&
      Private.inMainArea(app, widget)
    ) {
      app.shell.add(widget, 'main', { ref: host.id });
      host.dispose();
    }
  } catch (reason) {
    void showErrorMessage(trans.__('Launcher Error'), reason as Error);
  } finally {
    launcher.pending = false;
  }
}

namespace Private {
  export function inMainArea(app: JupyterFrontEnd, widget: Widget): boolean {
    for (const item of app.shell.widgets('main')) {
      if (item === widget) {
        return true;
      }
    }
    return false;
  }
}
