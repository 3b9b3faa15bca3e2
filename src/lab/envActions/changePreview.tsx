/**
 * What an install or uninstall changes (its preview) or changed (when
 * done), which image packages it would shadow, and what mlc refused: the
 * list Add Packages… and Remove Packages… both show.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { InstallResult } from './results';

export function ChangePreview(props: {
  result: InstallResult;
  done: boolean;
  trans: TranslationBundle;
  /** The line after a change that recorded revision N (default: the install's). */
  doneText?: (revision: number) => string;
}): React.ReactElement {
  const { result, done, trans, doneText } = props;
  return (
    <div className="jp-MLC-addPackages-previewList" aria-live="polite">
      {result.changes.length === 0 ? (
        <p>{trans.__('Nothing to change: the env has these already.')}</p>
      ) : (
        <>
          <p>
            {done
              ? trans.__('Changed in the env:')
              : trans.__('Would change in the env:')}
          </p>
          <ul className="jp-MLC-addPackages-changes">
            {result.changes.map(change => (
              <li
                key={`${change.installer}:${change.name}`}
                data-kind={change.kind}
              >
                <span className="jp-MLC-addPackages-kind">
                  {Private.kindWord(change.kind, trans)}
                </span>{' '}
                <code>{change.name}</code>{' '}
                {change.from && change.to
                  ? `${change.from} → ${change.to}`
                  : (change.to ?? change.from ?? '')}
              </li>
            ))}
          </ul>
        </>
      )}
      {result.shadowed.length ? (
        <div className="jp-MLC-addPackages-shadowed">
          <p>
            {trans.__(
              "Other versions of the image's packages (they would hide the image's in this env):"
            )}
          </p>
          <ul>
            {result.shadowed.map(shadow => (
              <li key={shadow.name}>
                {trans.__(
                  '%1 %2 (image) → %3 (env)',
                  shadow.name,
                  shadow.imageVersion,
                  shadow.envVersion
                )}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {result.refused ? (
        <div role="alert" className="jp-MLC-error">
          {result.refused}
        </div>
      ) : null}
      {done && result.revision !== null ? (
        <p className="jp-MLC-addPackages-done">
          {doneText
            ? doneText(result.revision)
            : trans.__(
                'Installed; the env is now at revision %1 (History… rolls it back).',
                result.revision
              )}
        </p>
      ) : null}
    </div>
  );
}

namespace Private {
  export function kindWord(
    kind: InstallResult['changes'][number]['kind'],
    trans: TranslationBundle
  ): string {
    switch (kind) {
      case 'install':
        return trans.__('install');
      case 'upgrade':
        return trans.__('upgrade');
      case 'downgrade':
        return trans.__('downgrade');
      case 'reinstall':
        return trans.__('reinstall');
      case 'remove':
        return trans.__('remove');
    }
  }
}
