/**
 * "Add Packages…" in a JupyterLab dialog: the view (addPackagesView.tsx)
 * carries its own Preview and Install buttons; the dialog only closes.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { AddPackages, type IAddPackagesActions } from './addPackagesView';
import type { EnvTarget } from './envTarget';
import type { CondaChoice } from './installerChoice';

export type { IAddPackagesActions, InstallAnswer } from './addPackagesView';

export async function showAddPackagesDialog(
  env: EnvTarget,
  conda: CondaChoice,
  actions: IAddPackagesActions,
  trans: TranslationBundle
): Promise<void> {
  await showDialog({
    title: trans.__('Add Packages to %1', env.name || env.prefix),
    body: ReactWidget.create(
      <AddPackages env={env} conda={conda} actions={actions} trans={trans} />
    ),
    buttons: [Dialog.cancelButton({ label: trans.__('Close') })],
    focusNodeSelector: 'textarea'
  });
}
