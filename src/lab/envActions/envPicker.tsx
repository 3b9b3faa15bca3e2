/**
 * "Which environment?": the first step of an env command run from the
 * palette (from a tile's menu the env is known and this is skipped).
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IEnvSummary } from '../../core/envRecord';

/** Ask for one of `envs`; resolves with it, or null when cancelled. */
export async function askWhichEnv(
  envs: readonly IEnvSummary[],
  title: string,
  trans: TranslationBundle
): Promise<IEnvSummary | null> {
  const picker = new EnvPicker(envs, trans);
  const picked = await showDialog({
    title,
    body: picker,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Next') })
    ],
    focusNodeSelector: 'select'
  });
  if (!picked.button.accept || !picked.value) {
    return null;
  }
  return envs.find(env => env.prefix === picked.value) ?? null;
}

class EnvPicker extends ReactWidget {
  constructor(
    private readonly _envs: readonly IEnvSummary[],
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
          className="jp-mod-styled jp-MLC-envPicker-select"
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
