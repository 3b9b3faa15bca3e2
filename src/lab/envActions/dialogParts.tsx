/**
 * Pieces the env dialogs share: enabling the accept button, and the "run
 * this yourself" body shown when the server has no terminals.
 */
import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

/** Enable or disable the accept button of the dialog `node` lies in. */
export function disableAccept(node: HTMLElement, disabled: boolean): void {
  const dialog = node.closest('.jp-Dialog');
  dialog
    ?.querySelectorAll<HTMLButtonElement>('.jp-Dialog-button.jp-mod-accept')
    .forEach(button => {
      button.disabled = disabled;
    });
}

/**
 * Show `command` to paste into a terminal of the user's own, in a read-only,
 * selectable field with a Copy button.
 */
export async function showCommandToPaste(
  title: string,
  explanation: string,
  command: string,
  trans: TranslationBundle
): Promise<void> {
  await showDialog({
    title,
    body: ReactWidget.create(
      <CommandToPaste
        explanation={explanation}
        command={command}
        trans={trans}
      />
    ),
    buttons: [Dialog.okButton({ label: trans.__('Close') })]
  });
}

namespace CommandToPaste {
  export interface IProps {
    explanation: string;
    command: string;
    trans: TranslationBundle;
  }
}

function CommandToPaste(props: CommandToPaste.IProps): React.ReactElement {
  const { explanation, command, trans } = props;
  const [copied, setCopied] = React.useState(false);
  return (
    <div className="jp-MLC-pasteCommand">
      <p>{explanation}</p>
      <textarea
        className="jp-mod-styled jp-MLC-pasteCommand-text"
        readOnly
        rows={Math.min(6, 1 + Math.floor(command.length / 70))}
        value={command}
        spellCheck={false}
        onFocus={event => event.currentTarget.select()}
      />
      <div>
        <button
          type="button"
          className="jp-mod-styled jp-MLC-pasteCommand-copy"
          onClick={() => {
            Clipboard.copyToSystem(command);
            setCopied(true);
          }}
        >
          {copied ? trans.__('Copied') : trans.__('Copy')}
        </button>
      </div>
    </div>
  );
}
