/**
 * The view of "Scale Out with Dask…": a small form of the Slurm worker
 * job's values, checked as typed with the rules mlc applies
 * (src/core/daskArgs.ts), that runs `mlc env dask-config`; then what was
 * written and how to use it. All text is React text, never HTML.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import {
  DASK_CORES,
  DASK_MEMORY,
  DASK_WALLTIME,
  isDirectiveValue
} from '../../core/daskArgs';
import type { EnvTarget } from './envTarget';
import type { IDaskConfigRequest } from './mlcArgs';
import type { DaskConfigResult } from './results';

export type DaskConfigAnswer = { result: DaskConfigResult } | { error: string };

export interface IDaskConfigActions {
  /** `env dask-config` with the form's values. */
  write(request: IDaskConfigRequest): Promise<DaskConfigAnswer>;
}

type DaskField = 'cores' | 'memory' | 'walltime' | 'queue' | 'account';

/** The first problem of the form's values (field and one line), or null. */
export function daskFormProblem(
  values: Record<DaskField, string>,
  trans: TranslationBundle
): { field: DaskField; message: string } | null {
  for (const field of Private.FIELDS) {
    const message = Private.fieldProblem(field, values[field].trim(), trans);
    if (message) {
      return { field, message };
    }
  }
  return null;
}

namespace DaskConfig {
  export interface IProps {
    env: EnvTarget;
    actions: IDaskConfigActions;
    trans: TranslationBundle;
  }

  export type Stage =
    | { step: 'form'; error?: string }
    | { step: 'writing' }
    | { step: 'done'; result: DaskConfigResult };
}

export function DaskConfig(props: DaskConfig.IProps): React.ReactElement {
  const { env, actions, trans } = props;
  const [values, setValues] = React.useState<Record<DaskField, string>>({
    cores: '',
    memory: '',
    walltime: '',
    queue: '',
    account: ''
  });
  const [panel, setPanel] = React.useState(false);
  const [stage, setStage] = React.useState<DaskConfig.Stage>({ step: 'form' });

  const problem = daskFormProblem(values, trans);

  const write = async (): Promise<void> => {
    setStage({ step: 'writing' });
    const answer = await actions.write({
      prefix: env.prefix,
      ...values,
      panel
    });
    setStage(
      'result' in answer
        ? { step: 'done', result: answer.result }
        : { step: 'form', error: answer.error }
    );
  };

  if (stage.step === 'done') {
    return <DaskConfigDone result={stage.result} trans={trans} />;
  }
  const labels = Private.labels(trans);
  return (
    <form
      className="jp-MLC-daskConfig"
      onSubmit={event => {
        event.preventDefault();
        if (!problem && stage.step === 'form') {
          void write();
        }
      }}
    >
      <p>
        {trans.__(
          'Each Dask worker is a Slurm job running this env in its image. Leave a field empty for its default.'
        )}
      </p>
      <fieldset
        className="jp-MLC-daskConfig-fields"
        disabled={stage.step === 'writing'}
      >
        {Private.FIELDS.map(field => {
          const wrong = problem?.field === field;
          return (
            <label key={field}>
              <span>{labels[field].label}</span>
              <input
                type="text"
                className="jp-mod-styled"
                name={`mlc-dask-${field}`}
                value={values[field]}
                placeholder={labels[field].placeholder}
                spellCheck={false}
                aria-invalid={wrong}
                aria-describedby={wrong ? 'mlc-dask-problem' : undefined}
                onChange={event => {
                  const value = event.target.value;
                  setValues(current => ({ ...current, [field]: value }));
                }}
              />
            </label>
          );
        })}
        <label className="jp-MLC-daskConfig-panel">
          <input
            type="checkbox"
            name="mlc-dask-panel"
            checked={panel}
            onChange={event => setPanel(event.target.checked)}
          />
          {trans.__(
            'Make it the Dask panel’s default (its New button starts these workers)'
          )}
        </label>
      </fieldset>
      {problem ? (
        <div id="mlc-dask-problem" role="alert" className="jp-MLC-error">
          {problem.message}
        </div>
      ) : null}
      {stage.step === 'form' && stage.error ? (
        <div role="alert" className="jp-MLC-error">
          {stage.error}
        </div>
      ) : null}
      <div className="jp-MLC-dialogActions">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept jp-MLC-daskConfig-write"
          disabled={problem !== null || stage.step === 'writing'}
        >
          {stage.step === 'writing' ? trans.__('Writing…') : trans.__('Write')}
        </button>
      </div>
    </form>
  );
}

namespace DaskConfigDone {
  export interface IProps {
    result: DaskConfigResult;
    trans: TranslationBundle;
  }
}

/** What was written, and how a notebook and the Dask panel use it. */
export function DaskConfigDone(
  props: DaskConfigDone.IProps
): React.ReactElement {
  const { result, trans } = props;
  return (
    <div
      className="jp-MLC-daskConfig jp-MLC-daskConfig-done"
      aria-live="polite"
    >
      <p>
        {trans.__('Wrote')} <code>{result.file}</code>
      </p>
      <p>
        {trans.__(
          'In a notebook on this env’s kernel, workers start as Slurm jobs with:'
        )}
      </p>
      <pre className="jp-MLC-daskConfig-usage">
        {
          'from dask_jobqueue import SLURMCluster\ncluster = SLURMCluster()\ncluster.scale(2)'
        }
      </pre>
      {result.panel ? (
        <p className="jp-MLC-daskConfig-panelDone">
          {trans.__(
            'Also wrote %1: once the Jupyter server restarts (it reads the Dask configuration at start), the Dask panel’s New button starts the same cluster.',
            result.panel
          )}
        </p>
      ) : (
        <p className="jp-MLC-daskConfig-panelDone">
          {trans.__(
            'For the Dask panel’s New button, write it again with “Make it the Dask panel’s default”.'
          )}
        </p>
      )}
      <p>
        {trans.__(
          'The workers refuse to start once the env changes: write it again then.'
        )}
      </p>
    </div>
  );
}

namespace Private {
  export const FIELDS: readonly DaskField[] = [
    'cores',
    'memory',
    'walltime',
    'queue',
    'account'
  ];

  export function labels(
    trans: TranslationBundle
  ): Record<DaskField, { label: string; placeholder: string }> {
    return {
      cores: { label: trans.__('Cores per worker'), placeholder: '1' },
      memory: { label: trans.__('Memory per worker'), placeholder: '2GiB' },
      walltime: { label: trans.__('Time limit'), placeholder: '01:00:00' },
      queue: {
        label: trans.__('Partition (queue)'),
        placeholder: trans.__('the cluster’s default')
      },
      account: {
        label: trans.__('Account'),
        placeholder: trans.__('your default')
      }
    };
  }

  /** Empty is fine (mlc's default); else the CLI's rule for the flag. */
  export function fieldProblem(
    field: DaskField,
    value: string,
    trans: TranslationBundle
  ): string | null {
    if (!value) {
      return null;
    }
    switch (field) {
      case 'cores':
        return DASK_CORES.test(value)
          ? null
          : trans.__('Cores must be a positive whole number, e.g. 4.');
      case 'memory':
        return DASK_MEMORY.test(value)
          ? null
          : trans.__('Memory must be a size, e.g. 4GiB or 4GB.');
      case 'walltime':
        return DASK_WALLTIME.test(value) && isDirectiveValue(value)
          ? null
          : trans.__('The time limit must look like 02:00:00 or 1-00:00:00.');
      case 'queue':
      case 'account':
        return isDirectiveValue(value)
          ? null
          : trans.__(
              '%1 may hold letters, digits and %2 only, starting with a letter, digit or _.',
              field === 'queue'
                ? trans.__('The partition')
                : trans.__('The account'),
              '_ . : , + @ % = / -'
            );
    }
  }
}
