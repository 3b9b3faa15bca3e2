/**
 * "Rebase…": what changed in the image under the env (as `mlc env list`
 * reported it), what a rebase does, and a confirmation.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IImageChange } from '../../core/envLife';
import type { EnvTarget } from './envTarget';
import { RebaseSummary } from './rebaseSummary';

/** Resolves true when the user confirms the rebase. */
export async function confirmRebase(
  env: EnvTarget,
  change: IImageChange | null,
  trans: TranslationBundle
): Promise<boolean> {
  const confirmed = await showDialog({
    title: trans.__('Rebase %1 on the updated image?', env.name || env.prefix),
    body: ReactWidget.create(<RebaseSummary change={change} trans={trans} />),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Rebase') })
    ]
  });
  return confirmed.button.accept;
}
