/**
 * The "Create Extended Environment" dialog: name (checked as it is typed),
 * location, whether to register a kernel, and its display name.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { createFormProblem, envPrefix } from './envPath';
import { formProblemText } from './problemWords';
import { disableAccept } from './dialogParts';

/** What the user filled in. */
export interface ICreateForm {
  name: string;
  location: string;
  registerKernel: boolean;
  displayName: string;
}

/**
 * Ask for a new env; resolves with a valid form, or null when cancelled.
 * Enter in a field submits even while the Create button is disabled, so an
 * invalid form opens the dialog again with the user's input kept.
 */
export async function askCreateForm(
  initial: ICreateForm,
  serverRoot: string,
  trans: TranslationBundle
): Promise<ICreateForm | null> {
  let form = initial;
  for (;;) {
    const body = new CreateEnvBody(form, serverRoot, trans);
    const result = await showDialog({
      title: trans.__('Create Extended Environment'),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Create') })
      ],
      focusNodeSelector: 'input[name="mlc-env-name"]'
    });
    if (!result.button.accept || result.value === null) {
      return null;
    }
    form = result.value;
    if (createFormProblem(form) === null) {
      return form;
    }
  }
}

/** The dialog body; `getValue` is what Dialog resolves with. */
export class CreateEnvBody extends ReactWidget {
  constructor(
    initial: ICreateForm,
    serverRoot: string,
    trans: TranslationBundle
  ) {
    super();
    this._form = initial;
    this._serverRoot = serverRoot;
    this._trans = trans;
    this.addClass('jp-MLC-createDialog');
  }

  getValue(): ICreateForm {
    return this._form;
  }

  protected render(): React.ReactElement {
    return (
      <CreateEnvForm
        initial={this._form}
        serverRoot={this._serverRoot}
        trans={this._trans}
        onChange={this._onChange}
      />
    );
  }

  /** One function for every render, so the form's effect runs only on changes. */
  private readonly _onChange = (form: ICreateForm, valid: boolean): void => {
    this._form = form;
    disableAccept(this.node, !valid);
  };

  private _form: ICreateForm;
  private readonly _serverRoot: string;
  private readonly _trans: TranslationBundle;
}

namespace CreateEnvForm {
  export interface IProps {
    initial: ICreateForm;
    serverRoot: string;
    trans: TranslationBundle;
    onChange: (form: ICreateForm, valid: boolean) => void;
  }
}

function CreateEnvForm(props: CreateEnvForm.IProps): React.ReactElement {
  const { trans, serverRoot, onChange } = props;
  const [form, setForm] = React.useState<ICreateForm>(props.initial);
  const problem = createFormProblem(form);
  // Nothing typed yet is not an error to shout about, only a reason to wait.
  const [touched, setTouched] = React.useState(props.initial.name !== '');

  const valid = problem === null;
  React.useEffect(() => onChange(form, valid), [form, valid, onChange]);

  const set = (patch: Partial<ICreateForm>): void => {
    setTouched(true);
    setForm(current => ({ ...current, ...patch }));
  };
  const prefix = form.name
    ? envPrefix(form.location, form.name, serverRoot)
    : '';

  return (
    <div className="jp-MLC-form">
      <label>
        {trans.__('Name')}
        <input
          name="mlc-env-name"
          className="jp-mod-styled"
          value={form.name}
          placeholder={trans.__('e.g. myEnv')}
          aria-invalid={touched && problem !== null}
          onChange={event => set({ name: event.target.value })}
        />
      </label>
      <label>
        {trans.__('Location')}
        <input
          name="mlc-env-location"
          className="jp-mod-styled"
          value={form.location}
          placeholder={trans.__('The Jupyter root folder')}
          onChange={event => set({ location: event.target.value })}
        />
      </label>
      <label>
        <input
          name="mlc-env-kernel"
          type="checkbox"
          checked={form.registerKernel}
          onChange={event => set({ registerKernel: event.target.checked })}
        />{' '}
        {trans.__('Register a kernel for the environment')}
      </label>
      <label>
        {trans.__('Kernel display name')}
        <input
          name="mlc-env-display-name"
          className="jp-mod-styled"
          value={form.displayName}
          disabled={!form.registerKernel}
          placeholder={trans.__('Leave empty for the default')}
          onChange={event => set({ displayName: event.target.value })}
        />
      </label>
      <div className="jp-MLC-createDialog-prefix jp-MLC-path">
        {prefix ? trans.__('Will be created at: %1', prefix) : ''}
      </div>
      <div className="jp-MLC-createDialog-problem jp-MLC-error" role="alert">
        {touched && problem !== null ? formProblemText(problem, trans) : ''}
      </div>
    </div>
  );
}
