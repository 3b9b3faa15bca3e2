/**
 * Finds every Launcher tab, whenever it is made (`launcher:create`, which
 * the layout restorer also uses) or whatever already exists when the
 * extension starts, and hands each to `decorate` once.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Launcher } from '@jupyterlab/launcher';
import type { CommandRegistry } from '@lumino/commands';
import { StockCommandIDs } from '../commandIds';

/** A launcher tab: the stock launcher inside a MainAreaWidget. */
export type LauncherHost = MainAreaWidget<Launcher>;

export function isLauncherHost(widget: unknown): widget is LauncherHost {
  return widget instanceof MainAreaWidget && widget.content instanceof Launcher;
}

/** Watches for the lifetime of the page: launchers come and go until it closes. */
export function watchLaunchers(
  app: JupyterFrontEnd,
  decorate: (host: LauncherHost) => void
): void {
  const seen = new WeakSet<LauncherHost>();
  const consider = (widget: unknown): void => {
    if (isLauncherHost(widget) && !widget.isDisposed && !seen.has(widget)) {
      seen.add(widget);
      decorate(widget);
    }
  };
  const onExecuted = (
    _: CommandRegistry,
    args: CommandRegistry.ICommandExecutedArgs
  ): void => {
    if (args.id === StockCommandIDs.launcherCreate) {
      // A failed launch is the launcher's to report.
      args.result.then(consider, () => undefined);
    }
  };
  const scan = (): void => {
    for (const widget of app.shell.widgets('main')) {
      consider(widget);
    }
  };
  app.commands.commandExecuted.connect(onExecuted);
  scan();
  void app.restored.then(scan);
}
