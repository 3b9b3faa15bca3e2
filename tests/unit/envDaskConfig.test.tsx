/**
 * @jest-environment jsdom
 */
/**
 * "Scale Out with Dask…": the argument list the form sends to
 * `mlc env dask-config`, the result parser, and the view driven as a user
 * does (values checked as typed with mlc's rules, Write, mlc's refusal
 * shown, the result with the file and how to use it; text never HTML).
 */
import * as React from 'react';
import { WIRE_VERBS } from '../../src/core/wire';
import {
  DaskConfig,
  daskFormProblem,
  type DaskConfigAnswer,
  type IDaskConfigActions
} from '../../src/lab/envActions/daskConfigView';
import {
  daskConfigArgs,
  type IDaskConfigRequest
} from '../../src/lab/envActions/mlcArgs';
import {
  daskConfigResult,
  type DaskConfigResult
} from '../../src/lab/envActions/results';
import { ENV, mountPerTest, settle } from './envDialogHelpers';
import { englishBundle, typeInto } from './launcherDomHelpers';

const EMPTY = {
  cores: '',
  memory: '',
  walltime: '',
  queue: '',
  account: ''
};

function written(overrides: Partial<DaskConfigResult> = {}): DaskConfigResult {
  return {
    env: ENV.prefix,
    file: `${ENV.prefix}/etc/dask/mlc-scale-out.yaml`,
    fingerprint: 'f'.repeat(16),
    ...overrides
  };
}

describe('daskConfigArgs and daskConfigResult', () => {
  it('leaves empty fields to mlc and sends each value joined to its flag', () => {
    expect(
      daskConfigArgs({ prefix: ENV.prefix, ...EMPTY, panel: false })
    ).toEqual(['env', 'dask-config', ENV.prefix, '--scheduler', 'slurm']);
    expect(
      daskConfigArgs({
        prefix: ENV.prefix,
        cores: ' 4 ',
        memory: '8GiB',
        walltime: '02:00:00',
        queue: 'debug',
        account: '--panel',
        panel: true
      })
    ).toEqual([
      'env',
      'dask-config',
      ENV.prefix,
      '--scheduler',
      'slurm',
      '--cores=4',
      '--memory=8GiB',
      '--walltime=02:00:00',
      '--queue=debug',
      // A value that looks like an option stays the account's value.
      '--account=--panel',
      '--panel'
    ]);
  });

  it('is a verb the wire lets through', () => {
    expect(WIRE_VERBS).toContainEqual(['env', 'dask-config']);
  });

  it('takes the `env dask-config` result only, and only when well formed', () => {
    const outcome = (command: string, data: unknown) => ({
      results: [{ command, data }],
      errors: [],
      exitCode: 0
    });
    expect(daskConfigResult(outcome('env dask-config', written()))).toEqual(
      written()
    );
    expect(daskConfigResult(outcome('env export', written()))).toBeNull();
    expect(
      daskConfigResult(outcome('env dask-config', { file: 3 }))
    ).toBeNull();
  });
});

describe('daskFormProblem', () => {
  const problem = (values: Partial<typeof EMPTY>) =>
    daskFormProblem({ ...EMPTY, ...values }, englishBundle);

  it('accepts the empty form (mlc’s defaults) and values mlc accepts', () => {
    expect(problem({})).toBeNull();
    expect(
      problem({
        cores: '16',
        memory: '3.5 GB',
        walltime: '1-00:00:00',
        queue: 'gpu_long',
        account: 'proj@site'
      })
    ).toBeNull();
  });

  it('names the first wrong field as mlc would refuse it', () => {
    expect(problem({ cores: '0' })?.field).toBe('cores');
    expect(problem({ cores: '2.5' })?.field).toBe('cores');
    expect(problem({ memory: 'lots' })?.field).toBe('memory');
    expect(problem({ walltime: '1h' })?.field).toBe('walltime');
    expect(problem({ queue: 'a b' })?.field).toBe('queue');
    expect(problem({ account: '-x' })?.field).toBe('account');
    expect(problem({ account: 'a'.repeat(201) })?.field).toBe('account');
    expect(problem({ queue: 'x\n#SBATCH --x' })?.message).toMatch(
      /^The partition may hold/
    );
  });
});

describe('the Scale Out view', () => {
  const show = mountPerTest();
  const render = (actions: IDaskConfigActions): HTMLElement =>
    show(<DaskConfig env={ENV} actions={actions} trans={englishBundle} />);

  function field(container: HTMLElement, name: string): HTMLInputElement {
    const input = container.querySelector<HTMLInputElement>(
      `input[name="mlc-dask-${name}"]`
    );
    expect(input).not.toBeNull();
    return input!;
  }

  function writeButton(container: HTMLElement): HTMLButtonElement {
    return container.querySelector<HTMLButtonElement>(
      '.jp-MLC-daskConfig-write'
    )!;
  }

  it('checks values as typed, then writes with them and shows how to use the file', async () => {
    const requests: IDaskConfigRequest[] = [];
    const container = render({
      write: async request => {
        requests.push(request);
        return {
          result: written({ panel: '/home/u/.config/dask/mlc-dask-panel.yaml' })
        };
      }
    });
    // Every field is a labelled text input, reachable in tab order.
    for (const name of ['cores', 'memory', 'walltime', 'queue', 'account']) {
      expect(field(container, name).closest('label')?.textContent).not.toBe('');
    }
    expect(writeButton(container).disabled).toBe(false);
    typeInto(field(container, 'cores'), 'four');
    expect(container.querySelector('[role="alert"]')?.textContent).toBe(
      'Cores must be a positive whole number, e.g. 4.'
    );
    expect(field(container, 'cores').getAttribute('aria-invalid')).toBe('true');
    expect(writeButton(container).disabled).toBe(true);
    typeInto(field(container, 'cores'), '4');
    typeInto(field(container, 'queue'), 'debug');
    expect(container.querySelector('[role="alert"]')).toBeNull();
    React.act(() => field(container, 'panel').click());
    // Enter in a field submits the form, as the Write button does.
    React.act(() =>
      container.querySelector('form')!.requestSubmit(writeButton(container))
    );
    await settle();
    expect(requests).toEqual([
      {
        prefix: ENV.prefix,
        ...EMPTY,
        cores: '4',
        queue: 'debug',
        panel: true
      }
    ]);
    const done = container.querySelector('.jp-MLC-daskConfig-done');
    expect(done?.textContent).toContain(
      `Wrote ${ENV.prefix}/etc/dask/mlc-scale-out.yaml`
    );
    expect(
      container.querySelector('.jp-MLC-daskConfig-usage')?.textContent
    ).toContain('from dask_jobqueue import SLURMCluster');
    expect(
      container.querySelector('.jp-MLC-daskConfig-panelDone')?.textContent
    ).toBe(
      'Also wrote /home/u/.config/dask/mlc-dask-panel.yaml: once the Jupyter server restarts (it reads the Dask configuration at start), the Dask panel’s New button starts the same cluster.'
    );
  });

  it('shows mlc’s one line when it refuses, keeping the form and the values', async () => {
    let answer: DaskConfigAnswer = {
      error: 'mlc: --queue "<b>x</b>" is not allowed'
    };
    const container = render({ write: async () => answer });
    typeInto(field(container, 'memory'), '4GiB');
    React.act(() => writeButton(container).click());
    await settle();
    const alert = container.querySelector('[role="alert"]');
    expect(alert?.textContent).toBe('mlc: --queue "<b>x</b>" is not allowed');
    expect(alert?.querySelector('b')).toBeNull();
    expect(field(container, 'memory').value).toBe('4GiB');
    answer = { result: written({ file: '/tmp/<i>odd</i>.yaml' }) };
    React.act(() => writeButton(container).click());
    await settle();
    const done = container.querySelector('.jp-MLC-daskConfig-done');
    expect(done?.textContent).toContain('Wrote /tmp/<i>odd</i>.yaml');
    expect(done?.querySelector('i')).toBeNull();
    expect(
      container.querySelector('.jp-MLC-daskConfig-panelDone')?.textContent
    ).toMatch(/^For the Dask panel’s New button/);
  });
});
