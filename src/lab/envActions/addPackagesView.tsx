/**
 * The view of "Add Packages…": the specs and the installer (pip, or the
 * image's conda installer with an optional channel), the preview `mlc env
 * install --dry-run` gives (what is installed, upgraded, and which image
 * packages it would shadow), then the install with its phases and the
 * installer's output in an expandable log (changeProgress.tsx). The dialog
 * around it is in addPackagesDialog.tsx.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { ChangePhase } from '../../core/envLife';
import { hasControlCharacter } from '../../core/quote';
import { ChangePreview } from './changePreview';
import { ChangeProgress, useChangeLog, type ChangeRun } from './changeProgress';
import type { EnvTarget } from './envTarget';
import {
  parseChannel,
  type CondaChoice,
  type Installer
} from './installerChoice';
import { InstallerPicker } from './installerPicker';
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
    /** Whether the env's image has a conda installer to offer. */
    conda: CondaChoice;
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
  const { actions, conda, env, trans } = props;
  const [text, setText] = React.useState('');
  const [installer, setInstaller] = React.useState<Installer>('pip');
  const [channelText, setChannelText] = React.useState('');
  const [override, setOverride] = React.useState(false);
  const [stage, setStage] = React.useState<AddPackages.Stage>({
    step: 'form'
  });
  const log = useChangeLog();
  const parsed = parseSpecs(text, trans);
  const channel = parseChannel(installer === 'conda' ? channelText : '');
  const problem =
    'problem' in parsed
      ? text.trim()
        ? parsed.problem
        : null
      : 'problem' in channel
        ? Private.channelProblem(channel.problem, trans)
        : null;
  const request = (dryRun: boolean): IInstallRequest | null =>
    'specs' in parsed && 'channel' in channel
      ? {
          prefix: env.prefix,
          specs: parsed.specs,
          installer,
          channel: channel.channel,
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
    log.clear();
    setStage({ step: 'installing', phase: null });
    const answer = await actions.install(wanted, (message, phase) => {
      log.add(message);
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
      <InstallerPicker
        value={installer}
        onChange={chosen => {
          setInstaller(chosen);
          setStage({ step: 'form' });
        }}
        conda={conda}
        name="mlc-install-installer"
        disabled={!editable}
        trans={trans}
      />
      {installer === 'conda' ? (
        <label className="jp-MLC-addPackages-channel">
          {trans.__('Channel (optional)')}
          <input
            type="text"
            className="jp-mod-styled"
            name="mlc-install-channel"
            value={channelText}
            disabled={!editable}
            spellCheck={false}
            placeholder="conda-forge"
            onChange={event => {
              setChannelText(event.target.value);
              setStage({ step: 'form' }); // the preview was for another channel
            }}
          />
        </label>
      ) : null}
      {problem !== null ? (
        <div role="alert" className="jp-MLC-error">
          {problem}
        </div>
      ) : null}
      {stage.step === 'form' && stage.error ? (
        <div role="alert" className="jp-MLC-error">
          {stage.error}
        </div>
      ) : null}
      {stage.step === 'preview' || stage.step === 'done' ? (
        <ChangePreview
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
      <ChangeProgress
        run={Private.runOf(stage)}
        log={log.lines}
        trans={trans}
      />
      <div className="jp-MLC-dialogActions">
        {stage.step === 'form' || stage.step === 'previewing' ? (
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-MLC-addPackages-preview"
            disabled={stage.step === 'previewing' || request(true) === null}
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

namespace Private {
  /** Longer specs are not package specs. */
  export const MAX_SPEC = 200;

  export function runOf(stage: AddPackages.Stage): ChangeRun {
    switch (stage.step) {
      case 'installing':
        return { step: 'running', phase: stage.phase };
      case 'done':
        return { step: 'done' };
      case 'failed':
        return { step: 'failed', error: stage.error };
      default:
        return { step: 'idle' };
    }
  }

  export function channelProblem(
    problem: 'option' | 'shape',
    trans: TranslationBundle
  ): string {
    return problem === 'option'
      ? trans.__(
          'The channel starts with "-"; give a channel name or URL (e.g. conda-forge), not an installer option'
        )
      : trans.__(
          'The channel is a name or URL without spaces or quotes (e.g. conda-forge or https://example.org/channel)'
        );
  }
}
