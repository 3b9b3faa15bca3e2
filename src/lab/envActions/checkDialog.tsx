/**
 * The "Check Extended Environments" dialog: each env with what `mlc env
 * check` found, and a Fix button where `--fix` can repair it.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IEnvSummary } from '../../core/envRecord';

/**
 * What a Fix click produced: the envs as checked afterwards, or one line of
 * error for the envs it could not report on.
 */
export type FixOutcome = { summaries: IEnvSummary[] } | { error: string };

/** Repairs the envs at `prefixes` in one mlc run. */
export type FixEnvs = (prefixes: string[]) => Promise<FixOutcome>;

export async function showCheckDialog(
  envs: IEnvSummary[],
  fix: FixEnvs,
  trans: TranslationBundle
): Promise<void> {
  await showDialog({
    title: trans.__('Extended Environments'),
    body: ReactWidget.create(
      <EnvCheckList envs={envs} fix={fix} trans={trans} />
    ),
    buttons: [Dialog.okButton({ label: trans.__('Close') })]
  });
}

namespace EnvCheckList {
  export interface IProps {
    envs: IEnvSummary[];
    fix: FixEnvs;
    trans: TranslationBundle;
  }
}

function EnvCheckList(props: EnvCheckList.IProps): React.ReactElement {
  const { trans } = props;
  const [envs, setEnvs] = React.useState(props.envs);
  // The prefixes being fixed: one env's, or every fixable one's (Fix all).
  const [busy, setBusy] = React.useState<string[]>([]);
  const [errors, setErrors] = React.useState<Record<string, string>>({});

  const fix = async (prefixes: string[]): Promise<void> => {
    setBusy(prefixes);
    const outcome = await props.fix(prefixes);
    setBusy([]);
    if ('summaries' in outcome) {
      const fixed = new Map(outcome.summaries.map(env => [env.prefix, env]));
      setEnvs(current => current.map(env => fixed.get(env.prefix) ?? env));
      setErrors(current =>
        Object.fromEntries(
          Object.entries(current).filter(([prefix]) => !fixed.has(prefix))
        )
      );
    } else {
      setErrors(current => ({
        ...current,
        ...Object.fromEntries(prefixes.map(prefix => [prefix, outcome.error]))
      }));
    }
  };
  const fixable = envs
    .filter(env => env.problems.some(problem => problem.fixable))
    .map(env => env.prefix);

  if (envs.length === 0) {
    return (
      <p className="jp-MLC-envCheck-empty">
        {trans.__('No extended environments found.')}
      </p>
    );
  }
  return (
    <>
      {fixable.length > 1 && (
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept jp-MLC-envCheck-fixAll"
          disabled={busy.length > 0}
          onClick={() => void fix(fixable)}
        >
          {busy.length > 1
            ? trans.__('Fixing…')
            : trans.__('Fix all (%1)', fixable.length)}
        </button>
      )}
      <ul className="jp-MLC-envCheck">
        {envs.map(env => (
          <li
            key={env.prefix}
            className="jp-MLC-envCheck-env"
            data-prefix={env.prefix}
          >
            <div>
              <strong>{env.name}</strong>{' '}
              <code className="jp-MLC-path">{env.prefix}</code>
            </div>
            {env.problems.length === 0 ? (
              <div className="jp-MLC-envCheck-ok">
                {trans.__('No problems found.')}
              </div>
            ) : (
              <ul className="jp-MLC-envCheck-problems">
                {env.problems.map(problem => (
                  <li
                    key={problem.code + problem.message}
                    data-code={problem.code}
                  >
                    {problem.message}
                    {problem.hint && !problem.fixable ? (
                      <span className="jp-MLC-dialogHint">{` (${problem.hint})`}</span>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
            {env.problems.some(problem => problem.fixable) && (
              <button
                type="button"
                className="jp-mod-styled jp-mod-accept jp-MLC-envCheck-fix"
                disabled={busy.length > 0}
                onClick={() => void fix([env.prefix])}
              >
                {busy.includes(env.prefix)
                  ? trans.__('Fixing…')
                  : trans.__('Fix')}
              </button>
            )}
            {errors[env.prefix] && (
              <div role="alert" className="jp-MLC-error">
                {errors[env.prefix]}
              </div>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
