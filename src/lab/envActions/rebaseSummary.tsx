/**
 * What changed in the image under an env (as `mlc env list` reported it)
 * and what a rebase does: the body of the Rebase… dialog.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { IImageChange } from '../../core/envLife';
import { imageChangeItems, MAX_CHANGES_NAMED } from '../imageChangeWords';

export function RebaseSummary(props: {
  change: IImageChange | null;
  trans: TranslationBundle;
}): React.ReactElement {
  const { change, trans } = props;
  const items = change ? imageChangeItems(change) : null;
  return (
    <div className="jp-MLC-rebase">
      {change && items ? (
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
          <ChangeList
            className="jp-MLC-rebase-upgraded"
            heading={trans.__('Upgraded')}
            items={items.upgraded}
            trans={trans}
          />
          <ChangeList
            className="jp-MLC-rebase-added"
            heading={trans.__('Added')}
            items={items.added}
            trans={trans}
          />
          <ChangeList
            className="jp-MLC-rebase-removed"
            heading={trans.__('Removed')}
            items={items.removed}
            trans={trans}
          />
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

/** One kind of change, its first MAX_CHANGES_NAMED packages, then "and N more". */
function ChangeList(props: {
  className: string;
  heading: string;
  items: readonly string[];
  trans: TranslationBundle;
}): React.ReactElement | null {
  const { className, heading, items, trans } = props;
  if (items.length === 0) {
    return null;
  }
  const more = items.length - MAX_CHANGES_NAMED;
  return (
    <div className={className}>
      <p>{heading}</p>
      <ul>
        {items.slice(0, MAX_CHANGES_NAMED).map(item => (
          <li key={item}>{item}</li>
        ))}
        {more > 0 ? (
          <li className="jp-MLC-rebase-more">
            {trans.__('and %1 more', more)}
          </li>
        ) : null}
      </ul>
    </div>
  );
}
