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

export function RebaseSummary(props: {
  change: IImageChange | null;
  trans: TranslationBundle;
}): React.ReactElement {
  const { change, trans } = props;
  return (
    <div className="jp-MLC-rebase">
      {change ? (
        <>
          <p>
            {trans.__(
              'The image under this env was rebuilt (%1 → %2): %3 packages upgraded, %4 added, %5 removed.',
              change.recordedBuild || trans.__('unknown date'),
              change.currentBuild || trans.__('unknown date'),
              change.upgraded.length,
              change.added.length,
              change.removed.length
            )}
          </p>
          {change.upgraded.length ? (
            <ul className="jp-MLC-rebase-upgraded">
              {change.upgraded.slice(0, Private.MAX_LISTED).map(item => (
                <li key={item.name}>
                  <code>{item.name}</code> {`${item.from} → ${item.to}`}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : (
        <p>{trans.__('The image under this env was updated.')}</p>
      )}
      <p>
        {trans.__(
          "A rebase installs the env's own packages again on the current image in a staging copy, imports each of them and runs pip check, and only then swaps it in. The kernel and your notebooks keep their names; History… rolls back to the state before."
        )}
      </p>
    </div>
  );
}

namespace Private {
  export const MAX_LISTED = 20;
}
