/**
 * Keeps the kernels our section shows (the image's and the extended envs')
 * out of the stock launcher's Notebook and Console sections, so each kernel
 * appears once, with its explanation; every other kernel stays where the
 * stock launcher puts it.
 *
 * The stock launcher renders `model.items()`; the filter wraps that one
 * method of the shared LauncherModel and never touches the launcher's DOM.
 */
import { LauncherModel, type ILauncher } from '@jupyterlab/launcher';
import { LAUNCH_COMMANDS } from './openKernel';

/** The kernel a stock Notebook or Console card starts, or null for other cards. */
export function stockCardKernel(item: ILauncher.IItemOptions): string | null {
  const args = (item.args ?? {}) as {
    kernelName?: unknown;
    kernelPreference?: { name?: unknown };
  };
  if (
    item.command === LAUNCH_COMMANDS.notebook &&
    typeof args.kernelName === 'string'
  ) {
    return args.kernelName;
  }
  if (
    item.command === LAUNCH_COMMANDS.console &&
    typeof args.kernelPreference?.name === 'string'
  ) {
    return args.kernelPreference.name;
  }
  return null;
}

/** What `filterStockCards` returns. */
export interface IStockCardFilter {
  /** Re-render the launchers after the claimed kernels changed. */
  refresh(): void;
}

/** Hide the stock cards of the kernels `isShownBySection` claims. */
export function filterStockCards(
  launcher: ILauncher,
  isShownBySection: (kernelName: string) => boolean
): IStockCardFilter {
  if (!(launcher instanceof LauncherModel)) {
    // Another launcher implementation: leave it as it is.
    return { refresh: () => undefined };
  }
  const model = launcher;
  const original = model.items;
  model.items = function* (): IterableIterator<ILauncher.IItemOptions> {
    for (const item of original.call(model)) {
      const kernel = stockCardKernel(item);
      if (kernel === null || !isShownBySection(kernel)) {
        yield item;
      }
    }
  };
  const refresh = (): void => model.stateChanged.emit(undefined);
  refresh();
  return { refresh };
}
