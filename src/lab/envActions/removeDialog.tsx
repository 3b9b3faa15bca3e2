/**
 * "Remove Extended Environment": pick an env (from the palette), then
 * confirm with its path (from the palette and from a tile's menu).
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IEnvSummary } from '../../core/envRecord';
import { askWhichEnv } from './envPicker';

/** Ask which env to remove and confirm; resolves with its prefix, or null. */
export async function askEnvToRemove(
  envs: IEnvSummary[],
  trans: TranslationBundle
): Promise<string | null> {
  const env = await askWhichEnv(
    envs,
    trans.__('Remove Extended Environment'),
    trans
  );
  return env ? confirmRemove(env, trans) : null;
}

/** Confirm removing `env` (what is deleted, what is not); resolves with its prefix, or null. */
export async function confirmRemove(
  env: Pick<IEnvSummary, 'name' | 'prefix' | 'kernelName'>,
  trans: TranslationBundle
): Promise<string | null> {
  const { prefix } = env;
  const confirmed = await showDialog({
    title: trans.__('Remove %1?', env.name || prefix),
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
        {env.kernelName ? (
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
