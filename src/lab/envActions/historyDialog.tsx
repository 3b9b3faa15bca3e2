/** "History…" in a JupyterLab dialog around the view of historyView.tsx. */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { EnvTarget } from './envTarget';
import { EnvHistory, type IHistoryActions } from './historyView';
import type { HistoryResult } from './results';

export async function showHistoryDialog(
  env: EnvTarget,
  first: HistoryResult,
  actions: IHistoryActions,
  trans: TranslationBundle
): Promise<void> {
  await showDialog({
    title: trans.__('History of %1', env.name || env.prefix),
    body: ReactWidget.create(
      <EnvHistory first={first} actions={actions} trans={trans} />
    ),
    buttons: [Dialog.okButton({ label: trans.__('Close') })]
  });
}
