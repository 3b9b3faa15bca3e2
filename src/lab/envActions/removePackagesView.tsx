/**
 * The view of "Remove Packages…": the env's own packages of one installer
 * (pip, or the image's conda installer; its latest revision, from `mlc env
 * history`) to tick, the preview `mlc env uninstall --dry-run` gives, then
 * the uninstall with its phases and log (changeProgress.tsx). The image's
 * packages are never listed: they are not the env's to remove.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { ChangePhase } from '../../core/envLife';
import type { InstallAnswer } from './addPackagesView';
import { ChangePreview } from './changePreview';
import { ChangeProgress, useChangeLog, type ChangeRun } from './changeProgress';
import type { EnvTarget } from './envTarget';
import type { CondaChoice, Installer } from './installerChoice';
import { InstallerPicker } from './installerPicker';

/** A package of the env's own, as its latest revision records it. */
export interface IOwnPackage {
  name: string;
  version: string;
  installer: Installer;
}

export interface IRemovePackagesActions {
  /** The env's own packages, or one line saying why there are none to show. */
  packages(): Promise<{ packages: IOwnPackage[] } | { error: string }>;
  /** `env uninstall --dry-run` of packages of `installer`. */
  preview(names: string[], installer: Installer): Promise<InstallAnswer>;
  /** `env uninstall`, reporting each progress event. */
  uninstall(
    names: string[],
    installer: Installer,
    onProgress: (message: string, phase?: ChangePhase) => void
  ): Promise<InstallAnswer>;
}

namespace RemovePackages {
  export interface IProps {
    env: EnvTarget;
    /** Whether the env's image has a conda installer to remove with. */
    conda: CondaChoice;
    actions: IRemovePackagesActions;
    trans: TranslationBundle;
  }

  export type Stage =
    | { step: 'loading' }
    | { step: 'form'; error?: string }
    | { step: 'previewing' }
    | { step: 'preview'; result: InstallAnswer['result'] & object }
    | { step: 'removing'; phase: ChangePhase | null }
    | { step: 'done'; result: InstallAnswer['result'] & object }
    | { step: 'failed'; error: string };
}

export function RemovePackages(
  props: RemovePackages.IProps
): React.ReactElement {
  const { actions, conda, trans } = props;
  const [packages, setPackages] = React.useState<IOwnPackage[]>([]);
  const [installer, setInstaller] = React.useState<Installer>('pip');
  const [loadError, setLoadError] = React.useState<string | null>(null);
  const [picked, setPicked] = React.useState<ReadonlySet<string>>(new Set());
  const [stage, setStage] = React.useState<RemovePackages.Stage>({
    step: 'loading'
  });
  const log = useChangeLog();

  React.useEffect(() => {
    let live = true;
    void actions.packages().then(answer => {
      if (!live) {
        return;
      }
      if ('error' in answer) {
        setLoadError(answer.error);
      } else {
        setPackages(
          [...answer.packages].sort((a, b) => a.name.localeCompare(b.name))
        );
      }
      setStage({ step: 'form' });
    });
    return () => {
      live = false;
    };
  }, [actions]);

  const listed = packages.filter(item => item.installer === installer);
  const names = listed.map(item => item.name).filter(name => picked.has(name));

  const toggle = (name: string, on: boolean): void => {
    setPicked(current => {
      const next = new Set(current);
      if (on) {
        next.add(name);
      } else {
        next.delete(name);
      }
      return next;
    });
    setStage({ step: 'form' }); // a preview was for another pick
  };

  const preview = async (): Promise<void> => {
    setStage({ step: 'previewing' });
    const answer = await actions.preview(names, installer);
    setStage(
      answer.result
        ? { step: 'preview', result: answer.result }
        : { step: 'form', error: answer.error }
    );
  };

  const uninstall = async (): Promise<void> => {
    log.clear();
    setStage({ step: 'removing', phase: null });
    const answer = await actions.uninstall(
      names,
      installer,
      (message, phase) => {
        log.add(message);
        if (phase) {
          setStage({ step: 'removing', phase });
        }
      }
    );
    setStage(
      answer.result && !answer.error
        ? { step: 'done', result: answer.result }
        : { step: 'failed', error: answer.error ?? '' }
    );
  };

  const editable = stage.step === 'form' || stage.step === 'preview';
  return (
    <div className="jp-MLC-removePackages">
      {stage.step === 'loading' ? (
        <p aria-live="polite">{trans.__('Reading the env’s packages…')}</p>
      ) : loadError !== null ? (
        <div role="alert" className="jp-MLC-error">
          {loadError}
        </div>
      ) : packages.length === 0 ? (
        <p className="jp-MLC-removePackages-none">
          {trans.__(
            'This env has no packages of its own; the image’s cannot be removed.'
          )}
        </p>
      ) : (
        <>
          <InstallerPicker
            value={installer}
            onChange={chosen => {
              setInstaller(chosen);
              setPicked(new Set()); // a pick is of one installer's packages
              setStage({ step: 'form' });
            }}
            conda={conda}
            name="mlc-uninstall-installer"
            disabled={!editable}
            trans={trans}
          />
          {listed.length === 0 ? (
            <p className="jp-MLC-removePackages-none">
              {trans.__(
                'The env has no packages of its own from %1.',
                installer
              )}
            </p>
          ) : (
            <fieldset
              className="jp-MLC-removePackages-list"
              disabled={!editable}
            >
              <legend>
                {trans.__(
                  'The env’s own packages (the image’s are not listed)'
                )}
              </legend>
              {listed.map(item => (
                <label key={item.name}>
                  <input
                    type="checkbox"
                    name="mlc-uninstall-package"
                    value={item.name}
                    checked={picked.has(item.name)}
                    onChange={event => toggle(item.name, event.target.checked)}
                  />
                  <code>{item.name}</code> {item.version}
                </label>
              ))}
            </fieldset>
          )}
        </>
      )}
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
          doneText={revision =>
            trans.__(
              'Removed; the env is now at revision %1 (History… rolls it back).',
              revision
            )
          }
        />
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
            className="jp-mod-styled jp-mod-accept jp-MLC-removePackages-preview"
            disabled={stage.step === 'previewing' || names.length === 0}
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
            className="jp-mod-styled jp-mod-warn jp-MLC-removePackages-remove"
            disabled={
              stage.result.refused !== null || stage.result.changes.length === 0
            }
            onClick={() => void uninstall()}
          >
            {trans.__('Remove')}
          </button>
        ) : null}
        {stage.step === 'failed' ? (
          <button
            type="button"
            className="jp-mod-styled jp-MLC-removePackages-back"
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
  export function runOf(stage: RemovePackages.Stage): ChangeRun {
    switch (stage.step) {
      case 'removing':
        return { step: 'running', phase: stage.phase };
      case 'done':
        return { step: 'done' };
      case 'failed':
        return { step: 'failed', error: stage.error };
      default:
        return { step: 'idle' };
    }
  }
}
