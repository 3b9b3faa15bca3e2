/**
 * What changed in the image under an env (as `mlc env list` reported it)
 * and what a rebase does: the body of the Rebase… dialog.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { IImageChange } from '../../core/envLife';

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
              'The image under this env was rebuilt (%1 → %2); packages upgraded: %3, added: %4, removed: %5.',
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
