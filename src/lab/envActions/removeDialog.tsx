/**
 * "Remove Extended Environment": pick an env, then confirm with its path.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IEnvSummary } from '../../core/envRecord';

/** Ask which env to remove and confirm; resolves with its prefix, or null. */
export async function askEnvToRemove(
  envs: IEnvSummary[],
  trans: TranslationBundle
): Promise<string | null> {
  const picker = new EnvPicker(envs, trans);
  const picked = await showDialog({
    title: trans.__('Remove Extended Environment'),
    body: picker,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Next') })
    ],
    focusNodeSelector: 'select'
  });
  const prefix = picked.value;
  if (!picked.button.accept || !prefix) {
    return null;
  }
  const env = envs.find(candidate => candidate.prefix === prefix);
  const confirmed = await showDialog({
    title: trans.__('Remove %1?', env?.name ?? prefix),
    body: ReactWidget.create(
      <div className="jp-MLC-removeEnv-confirm">
        <p>
          {trans.__(
            'This deletes the folder below and everything installed in it:'
          )}
        </p>
        <p>
          <code className="jp-MLC-path">{prefix}</code>
        </p>
        {env?.kernelName ? (
          <p>{trans.__('Its kernel %1 is unregistered.', env.kernelName)}</p>
        ) : null}
        <p>{trans.__('The image environment it extends is not touched.')}</p>
      </div>
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Remove') })
    ]
  });
  return confirmed.button.accept ? prefix : null;
}

class EnvPicker extends ReactWidget {
  constructor(
    private readonly _envs: IEnvSummary[],
    private readonly _trans: TranslationBundle
  ) {
    super();
    this._value = _envs[0]?.prefix ?? '';
  }

  getValue(): string {
    return this._value;
  }

  protected render(): React.ReactElement {
    return (
      <label className="jp-MLC-form">
        {this._trans.__('Environment')}
        <select
          className="jp-mod-styled jp-MLC-removeEnv-select"
          defaultValue={this._value}
          onChange={event => {
            this._value = event.target.value;
          }}
        >
          {this._envs.map(env => (
            <option key={env.prefix} value={env.prefix}>
              {`${env.name} — ${env.prefix}`}
            </option>
          ))}
        </select>
      </label>
    );
  }

  private _value: string;
}
