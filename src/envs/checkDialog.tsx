/**
 * The "Check Extended Environments" dialog: each env with what `mlc env
 * check` found, and a Fix button where `--fix` can repair it.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IEnvSummary } from '../core/envRecord';

/** What a Fix click produced: the env as checked afterwards, or one line of error. */
export type FixOutcome = { summary: IEnvSummary } | { error: string };

export async function showCheckDialog(
  envs: IEnvSummary[],
  fix: (prefix: string) => Promise<FixOutcome>,
  trans: TranslationBundle
): Promise<void> {
  await showDialog({
    title: trans.__('Extended Environments'),
    body: ReactWidget.create(<EnvCheckList envs={envs} fix={fix} trans={trans} />),
    buttons: [Dialog.okButton({ label: trans.__('Close') })]
  });
}

namespace EnvCheckList {
  export interface IProps {
    envs: IEnvSummary[];
    fix: (prefix: string) => Promise<FixOutcome>;
    trans: TranslationBundle;
  }
}

function EnvCheckList(props: EnvCheckList.IProps): React.ReactElement {
  const { trans } = props;
  const [envs, setEnvs] = React.useState(props.envs);
  const [busy, setBusy] = React.useState<string | null>(null);
  const [errors, setErrors] = React.useState<Record<string, string>>({});

  const fix = async (prefix: string): Promise<void> => {
    setBusy(prefix);
    const outcome = await props.fix(prefix);
    setBusy(null);
    if ('summary' in outcome) {
      setEnvs(current => current.map(env => (env.prefix === prefix ? outcome.summary : env)));
      setErrors(({ [prefix]: _, ...rest }) => rest);
    } else {
      setErrors(current => ({ ...current, [prefix]: outcome.error }));
    }
  };

  if (envs.length === 0) {
    return <p className="jp-MLC-envCheck-empty">{trans.__('No extended environments found.')}</p>;
  }
  return (
    <ul className="jp-MLC-envCheck">
      {envs.map(env => (
        <li key={env.prefix} className="jp-MLC-envCheck-env" data-prefix={env.prefix}>
          <div>
            <strong>{env.name}</strong> <code className="jp-MLC-path">{env.prefix}</code>
          </div>
          {env.problems.length === 0 ? (
            <div className="jp-MLC-envCheck-ok">{trans.__('No problems found.')}</div>
          ) : (
            <ul className="jp-MLC-envCheck-problems">
              {env.problems.map(problem => (
                <li key={problem.code + problem.message} data-code={problem.code}>
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
              disabled={busy !== null}
              onClick={() => void fix(env.prefix)}
            >
              {busy === env.prefix ? trans.__('Fixing…') : trans.__('Fix')}
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
  );
}
