/**
 * The pip-or-conda choice of Add Packages… and Remove Packages…: pip by
 * default; conda open only when the env's image has a conda installer
 * (installerChoice.ts), else shown disabled with the reason.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { CondaChoice, Installer } from './installerChoice';

export function InstallerPicker(props: {
  value: Installer;
  onChange: (installer: Installer) => void;
  conda: CondaChoice;
  /** The radio group's form name. */
  name: string;
  disabled: boolean;
  trans: TranslationBundle;
}): React.ReactElement {
  const { value, onChange, conda, name, disabled, trans } = props;
  const noteId = `${name}-conda-note`;
  return (
    <fieldset className="jp-MLC-installer" disabled={disabled}>
      <legend>{trans.__('Installer')}</legend>
      <label>
        <input
          type="radio"
          name={name}
          value="pip"
          checked={value === 'pip'}
          onChange={() => onChange('pip')}
        />
        {trans.__('pip (PyPI)')}
      </label>
      <label>
        <input
          type="radio"
          name={name}
          value="conda"
          checked={value === 'conda'}
          disabled={!conda.enabled}
          aria-describedby={conda.enabled ? undefined : noteId}
          onChange={() => onChange('conda')}
        />
        {conda.enabled
          ? trans.__("conda (the image's %1)", conda.installer)
          : trans.__('conda')}
      </label>
      {conda.enabled ? null : (
        <p id={noteId} className="jp-MLC-installer-note">
          {conda.why === 'none'
            ? trans.__(
                "This env's image has no conda installer (micromamba, mamba or conda); pip only."
              )
            : trans.__(
                "No conda installer is known in this env's image; pip only."
              )}
        </p>
      )}
    </fieldset>
  );
}
