/**
 * "History…": the env's revisions as `mlc env history` lists them (what
 * each change did, on which image), newest first, each with a button that
 * rolls the env back to it (`mlc env rollback`, itself a new revision).
 * The dialog around it is in historyDialog.tsx.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { HistoryResult, RevisionSummary, RollbackResult } from './results';

export interface IHistoryActions {
  /** `env history`: the revisions, or one line why not. */
  history(): Promise<{ result: HistoryResult } | { error: string }>;
  /** `env rollback N`. */
  rollback(
    revision: number
  ): Promise<{ result: RollbackResult } | { error: string }>;
}

namespace EnvHistory {
  export interface IProps {
    first: HistoryResult;
    actions: IHistoryActions;
    trans: TranslationBundle;
  }
}

export function EnvHistory(props: EnvHistory.IProps): React.ReactElement {
  const { actions, trans } = props;
  const [history, setHistory] = React.useState(props.first);
  // The revision asked about (a second click rolls back), the one rolling back.
  const [asked, setAsked] = React.useState<number | null>(null);
  const [busy, setBusy] = React.useState<number | null>(null);
  const [message, setMessage] = React.useState<{
    text: string;
    error: boolean;
  } | null>(null);

  const rollback = async (revision: number): Promise<void> => {
    setBusy(revision);
    setAsked(null);
    setMessage(null);
    const answer = await actions.rollback(revision);
    if ('error' in answer) {
      setBusy(null);
      setMessage({ text: answer.error, error: true });
      return;
    }
    const again = await actions.history();
    setBusy(null);
    if ('result' in again) {
      setHistory(again.result);
    }
    setMessage({
      text:
        answer.result.revision === null
          ? trans.__(
              'The env already holds the packages of revision %1.',
              revision
            )
          : trans.__(
              'Rolled back to revision %1 (recorded as revision %2).',
              revision,
              answer.result.revision
            ),
      error: false
    });
  };

  const revisions = [...history.revisions].sort((a, b) => b.number - a.number);
  return (
    <div className="jp-MLC-history">
      {!history.matchesCurrent && history.current > 0 ? (
        <p role="note" className="jp-MLC-history-drift">
          {trans.__(
            'The env no longer holds exactly what revision %1 recorded (a change that did not finish, or pip run by hand). Rolling back to a revision restores its packages.',
            history.current
          )}
        </p>
      ) : null}
      {history.unreadable.length ? (
        <p role="note" className="jp-MLC-history-unreadable">
          {trans._n(
            '%1 revision file was refused: %2',
            '%1 revision files were refused: %2',
            history.unreadable.length,
            history.unreadable.join('; ')
          )}
        </p>
      ) : null}
      {revisions.length === 0 ? (
        <p>
          {trans.__(
            'No revisions are recorded for this env (it was created by an older mlc).'
          )}
        </p>
      ) : (
        <ol className="jp-MLC-history-list" reversed>
          {revisions.map(revision => (
            <li
              key={revision.number}
              className="jp-MLC-history-revision"
              data-revision={revision.number}
            >
              <div className="jp-MLC-history-head">
                <strong>
                  {trans.__(
                    '%1. %2',
                    revision.number,
                    Private.commandWord(revision, trans)
                  )}
                </strong>{' '}
                <time dateTime={revision.time}>
                  {Private.when(revision.time)}
                </time>
                {revision.number === history.current ? (
                  <span className="jp-MLC-history-current">
                    {trans.__('current')}
                  </span>
                ) : null}
              </div>
              <div className="jp-MLC-history-facts">
                {trans.__(
                  '%1 pip and %2 conda packages of its own; on %3',
                  revision.pip.length,
                  revision.conda.length,
                  revision.image.reference ||
                    trans.__('an image without image.json')
                )}
              </div>
              {revision.changes.length ? (
                <div className="jp-MLC-history-changes">
                  {revision.changes
                    .slice(0, Private.MAX_CHANGES)
                    .map(change =>
                      change.to === null
                        ? `−${change.name}`
                        : change.from === null
                          ? `+${change.name} ${change.to}`
                          : `${change.name} ${change.from}→${change.to}`
                    )
                    .join(', ')}
                  {revision.changes.length > Private.MAX_CHANGES
                    ? trans.__(
                        ' and %1 more',
                        revision.changes.length - Private.MAX_CHANGES
                      )
                    : ''}
                </div>
              ) : null}
              {revision.number !== history.current ||
              !history.matchesCurrent ? (
                <button
                  type="button"
                  className={`jp-mod-styled ${asked === revision.number ? 'jp-mod-warn' : ''} jp-MLC-history-rollback`}
                  disabled={busy !== null}
                  onClick={() =>
                    asked === revision.number
                      ? void rollback(revision.number)
                      : setAsked(revision.number)
                  }
                >
                  {busy === revision.number
                    ? trans.__('Rolling back…')
                    : asked === revision.number
                      ? trans.__('Confirm: roll back to %1', revision.number)
                      : trans.__('Roll back to this')}
                </button>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      {message ? (
        <div
          role={message.error ? 'alert' : 'status'}
          className={message.error ? 'jp-MLC-error' : 'jp-MLC-history-done'}
        >
          {message.text}
        </div>
      ) : null}
    </div>
  );
}

namespace Private {
  /** Changes listed per revision; the rest are counted. */
  export const MAX_CHANGES = 12;

  export function commandWord(
    revision: RevisionSummary,
    trans: TranslationBundle
  ): string {
    const args = revision.args.join(' ');
    switch (revision.command) {
      case 'create':
        return trans.__('created');
      case 'install':
        return trans.__('installed %1', args);
      case 'uninstall':
        return trans.__('uninstalled %1', args);
      case 'rollback':
        return trans.__('rolled back %1', args);
      case 'rebase':
        return trans.__('rebased on the updated image');
    }
  }

  /** The time in the browser's locale, or as recorded when it does not parse. */
  export function when(time: string): string {
    const date = new Date(time);
    return Number.isNaN(date.getTime()) ? time : date.toLocaleString();
  }
}
