/**
 * "Scale Out with Dask…" in a JupyterLab dialog: the view
 * (daskConfigView.tsx) carries its own Write button; the dialog only closes.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { DaskConfig, type IDaskConfigActions } from './daskConfigView';
import type { EnvTarget } from './envTarget';

export async function showDaskConfigDialog(
  env: EnvTarget,
  actions: IDaskConfigActions,
  trans: TranslationBundle
): Promise<void> {
  await showDialog({
    title: trans.__('Scale Out %1 with Dask', env.name || env.prefix),
    body: ReactWidget.create(
      <DaskConfig env={env} actions={actions} trans={trans} />
    ),
    buttons: [Dialog.cancelButton({ label: trans.__('Close') })],
    // No default button: Enter in a field submits the form (Write), where
    // the dialog would otherwise take it for Close. Escape still closes.
    defaultButton: -1,
    focusNodeSelector: 'input[name="mlc-dask-cores"]'
  });
}
