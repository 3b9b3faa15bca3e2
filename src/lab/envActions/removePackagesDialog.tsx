/**
 * "Remove Packages…" in a JupyterLab dialog: the view
 * (removePackagesView.tsx) carries its own Preview and Remove buttons; the
 * dialog only closes.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { EnvTarget } from './envTarget';
import type { CondaChoice } from './installerChoice';
import {
  RemovePackages,
  type IRemovePackagesActions
} from './removePackagesView';

export async function showRemovePackagesDialog(
  env: EnvTarget,
  conda: CondaChoice,
  actions: IRemovePackagesActions,
  trans: TranslationBundle
): Promise<void> {
  await showDialog({
    title: trans.__('Remove Packages from %1', env.name || env.prefix),
    body: ReactWidget.create(
      <RemovePackages env={env} conda={conda} actions={actions} trans={trans} />
    ),
    buttons: [Dialog.cancelButton({ label: trans.__('Close') })],
    focusNodeSelector: 'input[name="mlc-uninstall-package"], button'
  });
}
