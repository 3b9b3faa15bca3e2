/**
 * Shared by the env-action dialog tests (Add Packages, Remove Packages,
 * History, Scale Out): the env they act on, mlc's answer to a package
 * change, a deferred answer, React's pending work settled, and views
 * mounted for one test and unmounted after it.
 */
import * as React from 'react';
import {
  AddPackages,
  type IAddPackagesActions
} from '../../src/lab/envActions/addPackagesView';
import type { CondaChoice } from '../../src/lab/envActions/installerChoice';
import {
  RemovePackages,
  type IRemovePackagesActions
} from '../../src/lab/envActions/removePackagesView';
import type { InstallResult } from '../../src/lab/envActions/results';
import { englishBundle, mount, type IMounted } from './launcherDomHelpers';

/** The env every dialog test acts on. */
export const ENV = {
  name: 'analysis',
  prefix: '/home/u/envs/analysis',
  kernelName: 'mlc-analysis'
};

/** What the dialogs get when nothing is known of the image's conda installer. */
export const CONDA_UNKNOWN: CondaChoice = { enabled: false, why: 'unknown' };

/**
 * mlc's result of a dry run that installs tqdm 4.66.1 (`kind` 'install') or
 * removes it ('remove') with `installer`; `overrides` replace fields.
 */
export function tqdmChange(
  kind: 'install' | 'remove',
  installer: 'pip' | 'conda' = 'pip',
  overrides: Partial<InstallResult> = {}
): InstallResult {
  return {
    prefix: ENV.prefix,
    installer,
    dryRun: true,
    specs: ['tqdm'],
    changes: [
      {
        name: 'tqdm',
        from: kind === 'install' ? null : '4.66.1',
        to: kind === 'install' ? '4.66.1' : null,
        kind,
        installer
      }
    ],
    shadowed: [],
    refused: null,
    revision: null,
    logFile: null,
    elapsedMs: 9,
    ...overrides
  };
}

/** A deferred answer, to see a dialog while mlc runs. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
} {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>(done => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Lets the views' pending promises and React's updates run. */
export async function settle(): Promise<void> {
  await React.act(async () => {
    await new Promise(resolve => setTimeout(resolve, 0));
  });
}

/**
 * Called in a describe block: a function that mounts a view and returns its
 * container; the view mounted last is unmounted after each test.
 */
export function mountPerTest(): (view: React.ReactElement) => HTMLElement {
  let mounted: IMounted | null = null;
  afterEach(() => {
    mounted?.unmount();
    mounted = null;
  });
  return view => {
    mounted = mount(view);
    return mounted.container;
  };
}

/** Called in a describe block: renders Add Packages for ENV, one a test. */
export function addPackagesRenderer(): (
  actions: IAddPackagesActions,
  conda?: CondaChoice
) => HTMLElement {
  return Private.packagesRenderer(AddPackages);
}

/** Called in a describe block: renders Remove Packages for ENV, one a test. */
export function removePackagesRenderer(): (
  actions: IRemovePackagesActions,
  conda?: CondaChoice
) => HTMLElement {
  return Private.packagesRenderer(RemovePackages);
}

/** Helpers (the module's trailing `Private` namespace). */
namespace Private {
  /** The props Add Packages and Remove Packages share, with their own actions. */
  interface IPackagesProps<TActions> {
    env: typeof ENV;
    conda: CondaChoice;
    actions: TActions;
    trans: typeof englishBundle;
  }

  export function packagesRenderer<TActions>(
    View: (props: IPackagesProps<TActions>) => React.ReactElement
  ): (actions: TActions, conda?: CondaChoice) => HTMLElement {
    const show = mountPerTest();
    return (actions, conda = CONDA_UNKNOWN) =>
      show(
        <View env={ENV} conda={conda} actions={actions} trans={englishBundle} />
      );
  }
}
