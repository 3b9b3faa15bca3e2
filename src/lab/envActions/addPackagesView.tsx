/**
 * The view of "Add Packages…": the specs and the installer, the preview
 * `mlc env install --dry-run` gives (what is installed, upgraded, and which
 * image packages it would shadow), then the install with its phases and the
 * installer's output in an expandable log. The dialog around it is in
 * addPackagesDialog.tsx.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { CHANGE_PHASES, type ChangePhase } from '../../core/envLife';
import { hasControlCharacter } from '../../core/quote';
import type { EnvTarget } from './envTarget';
import type { IInstallRequest } from './mlcArgs';
import type { InstallResult } from './results';

/** A run's answer: mlc's result, or one line saying why there is none. */
export type InstallAnswer =
  | { result: InstallResult; error?: undefined }
  | { error: string; result?: InstallResult | null };

export interface IAddPackagesActions {
  /** `env install --dry-run`. */
  preview(request: IInstallRequest): Promise<InstallAnswer>;
  /** `env install`, reporting each progress event. */
  install(
    request: IInstallRequest,
    onProgress: (message: string, phase?: ChangePhase) => void
  ): Promise<InstallAnswer>;
}

/** The specs typed, split on white space, or the first problem with them. */
export function parseSpecs(
  text: string,
  trans: TranslationBundle
): { specs: string[] } | { problem: string } {
  const specs = text.split(/\s+/).filter(Boolean);
  if (specs.length === 0) {
    return { problem: trans.__('Name at least one package, e.g. tqdm') };
  }
  for (const spec of specs) {
    if (spec.startsWith('-')) {
      return {
        problem: trans.__(
          '"%1" starts with "-"; give package names or specs (e.g. tqdm>=4), not installer options',
          spec
        )
      };
    }
    if (hasControlCharacter(spec) || spec.length > Private.MAX_SPEC) {
      return {
        problem: trans.__(
          'a spec is longer than %1 characters or holds a control character',
          Private.MAX_SPEC
        )
      };
    }
  }
  return { specs };
}

namespace AddPackages {
  export interface IProps {
    env: EnvTarget;
    actions: IAddPackagesActions;
    trans: TranslationBundle;
  }

  export type Stage =
    | { step: 'form'; error?: string }
    | { step: 'previewing' }
    | { step: 'preview'; result: InstallResult }
    | { step: 'installing'; phase: ChangePhase | null }
    | { step: 'done'; result: InstallResult }
    | { step: 'failed'; error: string };
}

export function AddPackages(props: AddPackages.IProps): React.ReactElement {
  const { actions, env, trans } = props;
  const [text, setText] = React.useState('');
  const [installer, setInstaller] = React.useState<'pip' | 'conda'>('pip');
  const [override, setOverride] = React.useState(false);
  const [stage, setStage] = React.useState<AddPackages.Stage>({
    step: 'form'
  });
  const [log, setLog] = React.useState<string[]>([]);
  const parsed = parseSpecs(text, trans);
  const request = (dryRun: boolean): IInstallRequest | null =>
    'specs' in parsed
      ? {
          prefix: env.prefix,
          specs: parsed.specs,
          installer,
          dryRun,
          allowImageOverride: override
        }
      : null;

  const preview = async (): Promise<void> => {
    const wanted = request(true);
    if (!wanted) {
      return;
    }
    setStage({ step: 'previewing' });
    const answer = await actions.preview(wanted);
    setStage(
      answer.result
        ? { step: 'preview', result: answer.result }
        : { step: 'form', error: answer.error }
    );
  };

  const install = async (): Promise<void> => {
    const wanted = request(false);
    if (!wanted) {
      return;
    }
    setLog([]);
    setStage({ step: 'installing', phase: null });
    const answer = await actions.install(wanted, (message, phase) => {
      setLog(lines => [...lines.slice(-Private.MAX_LOG_LINES + 1), message]);
      if (phase) {
        setStage({ step: 'installing', phase });
      }
    });
    setStage(
      answer.result && !answer.error
        ? { step: 'done', result: answer.result }
        : { step: 'failed', error: answer.error ?? '' }
    );
  };

  const editable = stage.step === 'form' || stage.step === 'preview';
  return (
    <div className="jp-MLC-addPackages">
      <label className="jp-MLC-form">
        {trans.__('Packages (names or specs, separated by spaces or lines)')}
        <textarea
          className="jp-mod-styled jp-MLC-addPackages-specs"
          name="mlc-install-specs"
          rows={3}
          value={text}
          disabled={!editable}
          spellCheck={false}
          placeholder="tqdm rich>=13"
          onChange={event => {
            setText(event.target.value);
            if (stage.step === 'preview') {
              setStage({ step: 'form' }); // the preview was for other specs
            }
          }}
        />
      </label>
      <fieldset className="jp-MLC-addPackages-installer" disabled={!editable}>
        <legend>{trans.__('Installer')}</legend>
        {(['pip', 'conda'] as const).map(name => (
          <label key={name}>
            <input
              type="radio"
              name="mlc-install-installer"
              value={name}
              checked={installer === name}
              onChange={() => {
                setInstaller(name);
                setStage({ step: 'form' });
              }}
            />
            {name === 'pip'
              ? trans.__('pip (PyPI)')
              : trans.__("conda (the image's installer)")}
          </label>
        ))}
      </fieldset>
      {text.trim() && 'problem' in parsed ? (
        <div role="alert" className="jp-MLC-error">
          {parsed.problem}
        </div>
      ) : null}
      {stage.step === 'form' && stage.error ? (
        <div role="alert" className="jp-MLC-error">
          {stage.error}
        </div>
      ) : null}
      {stage.step === 'preview' || stage.step === 'done' ? (
        <InstallPreview
          result={stage.result}
          done={stage.step === 'done'}
          trans={trans}
        />
      ) : null}
      {stage.step === 'preview' && stage.result.shadowed.length > 0 ? (
        <label className="jp-MLC-addPackages-override">
          <input
            type="checkbox"
            name="mlc-install-override"
            checked={override}
            onChange={event => {
              setOverride(event.target.checked);
              setStage({ step: 'form' }); // preview again with the flag
            }}
          />
          {trans.__(
            "Allow other versions of the image's packages in this env (they shadow the image's)"
          )}
        </label>
      ) : null}
      {stage.step === 'installing' || stage.step === 'done' ? (
        <Phases
          current={stage.step === 'done' ? null : stage.phase}
          done={stage.step === 'done'}
          trans={trans}
        />
      ) : null}
      {stage.step === 'failed' ? (
        <div role="alert" className="jp-MLC-error">
          {stage.error}
        </div>
      ) : null}
      {log.length ? (
        <details className="jp-MLC-addPackages-log">
          <summary>{trans.__('Installer output')}</summary>
          <pre>{log.join('\n')}</pre>
        </details>
      ) : null}
      <div className="jp-MLC-dialogActions">
        {stage.step === 'form' || stage.step === 'previewing' ? (
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-MLC-addPackages-preview"
            disabled={stage.step === 'previewing' || 'problem' in parsed}
            onClick={() => void preview()}
          >
            {stage.step === 'previewing'
              ? trans.__('Resolving…')
              : trans.__('Preview')}
          </button>
        ) : null}
        {stage.step === 'preview' ? (
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-MLC-addPackages-install"
            disabled={stage.result.refused !== null}
            onClick={() => void install()}
          >
            {trans.__('Install')}
          </button>
        ) : null}
        {stage.step === 'failed' ? (
          <button
            type="button"
            className="jp-mod-styled jp-MLC-addPackages-back"
            onClick={() => setStage({ step: 'form' })}
          >
            {trans.__('Back')}
          </button>
        ) : null}
      </div>
    </div>
  );
}

/** What the install (or uninstall) changes or changed, and what it refuses. */
export function InstallPreview(props: {
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

/** The four phases of a change, the current one marked. */
export function Phases(props: {
  current: ChangePhase | null;
  done: boolean;
  trans: TranslationBundle;
}): React.ReactElement {
  const { current, done, trans } = props;
  const at = current ? CHANGE_PHASES.indexOf(current) : -1;
  return (
    <ol
      className="jp-MLC-phases"
      aria-label={trans.__('Progress')}
      aria-live="polite"
    >
      {CHANGE_PHASES.map((phase, index) => {
        const state =
          done || index < at ? 'done' : index === at ? 'current' : 'waiting';
        return (
          <li
            key={phase}
            data-phase={phase}
            data-state={state}
            aria-current={state === 'current' ? 'step' : undefined}
          >
            {Private.phaseWord(phase, trans)}
          </li>
        );
      })}
    </ol>
  );
}

namespace Private {
  /** Longer specs are not package specs. */
  export const MAX_SPEC = 200;

  /** The log keeps the installer's last lines only. */
  export const MAX_LOG_LINES = 2000;

  export function phaseWord(
    phase: ChangePhase,
    trans: TranslationBundle
  ): string {
    switch (phase) {
      case 'resolve':
        return trans.__('Resolve');
      case 'download':
        return trans.__('Download');
      case 'install':
        return trans.__('Install');
      case 'verify':
        return trans.__('Verify');
    }
  }

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
