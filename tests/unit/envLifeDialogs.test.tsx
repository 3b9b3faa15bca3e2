/**
 * @jest-environment jsdom
 */
/**
 * The env-life dialogs' React views with scripted mlc answers: Add
 * Packages (specs checked as typed, the preview, a refusal, the install
 * with its phases and log), History (newest first, a rollback takes a
 * confirming second click) and the rebase summary; and the argument lists
 * and result parsers they rely on.
 */
import * as React from 'react';
import type { ChangePhase } from '../../src/core/envLife';
import {
  parseSpecs,
  type InstallAnswer
} from '../../src/lab/envActions/addPackagesView';
import {
  EnvHistory,
  type IHistoryActions
} from '../../src/lab/envActions/historyView';
import {
  installArgs,
  type IInstallRequest
} from '../../src/lab/envActions/mlcArgs';
import { RebaseSummary } from '../../src/lab/envActions/rebaseSummary';
import {
  historyResult,
  installResult,
  type HistoryResult,
  type InstallResult
} from '../../src/lab/envActions/results';
import type { IMlcOutcome } from '../../src/lab/envActions/terminalTransport';
import {
  addPackagesRenderer,
  deferred,
  ENV,
  mountPerTest,
  settle,
  tqdmChange
} from './envDialogHelpers';
import { click, englishBundle, mount, typeInto } from './launcherDomHelpers';

const IDENTITY = {
  reference: 'ml-base:latest',
  buildDate: '2025-01-01',
  packagesDigest: 'a'.repeat(64),
  packageCount: 10,
  source: 'image.json' as const
};

const install = (overrides: Partial<InstallResult> = {}): InstallResult =>
  tqdmChange('install', 'pip', overrides);

describe('parseSpecs and installArgs', () => {
  it('splits on white space and refuses what could be an option', () => {
    expect(parseSpecs(' tqdm\n rich>=13  ', englishBundle)).toEqual({
      specs: ['tqdm', 'rich>=13']
    });
    expect(parseSpecs('tqdm --index-url=http://evil', englishBundle)).toEqual({
      problem:
        '"--index-url=http://evil" starts with "-"; give package names or specs (e.g. tqdm>=4), not installer options'
    });
    expect(parseSpecs('   ', englishBundle)).toEqual({
      problem: 'Name at least one package, e.g. tqdm'
    });
  });

  it('puts every spec after "--", so mlc never takes one for an option', () => {
    const request: IInstallRequest = {
      prefix: ENV.prefix,
      specs: ['-e', 'x'],
      installer: 'conda',
      channel: '',
      dryRun: true,
      allowImageOverride: true
    };
    expect(installArgs(request)).toEqual([
      'env',
      'install',
      ENV.prefix,
      '--conda',
      '--dry-run',
      '--allow-image-override',
      '--',
      '-e',
      'x'
    ]);
  });
});

describe('the result parsers', () => {
  const outcome = (command: string, data: unknown): IMlcOutcome => ({
    results: [{ command, data }],
    errors: [],
    exitCode: 0
  });

  it('take what mlc sends and refuse what does not fit', () => {
    expect(installResult(outcome('env install', install()))).toEqual(install());
    expect(
      installResult(outcome('env install', { ...install(), changes: 'all' }))
    ).toBeNull();
    expect(installResult(outcome('env list', install()))).toBeNull();
    expect(
      historyResult(
        outcome('env history', {
          prefix: ENV.prefix,
          revisions: [],
          current: 0,
          matchesCurrent: true,
          unreadable: []
        })
      )?.current
    ).toBe(0);
  });
});

describe('Add Packages', () => {
  const render = addPackagesRenderer();

  it('previews, then installs in phases with the installer output to expand', async () => {
    const requests: IInstallRequest[] = [];
    const running = deferred<InstallAnswer>();
    let report: (message: string, phase?: ChangePhase) => void = () =>
      undefined;
    const container = render({
      preview: async request => {
        requests.push(request);
        return { result: install() };
      },
      install: (request, onProgress) => {
        requests.push(request);
        report = onProgress;
        return running.promise;
      }
    });
    const preview = container.querySelector<HTMLButtonElement>(
      '.jp-MLC-addPackages-preview'
    );
    expect(preview?.disabled).toBe(true);
    typeInto(
      container.querySelector('textarea') as HTMLTextAreaElement,
      'tqdm'
    );
    expect(preview?.disabled).toBe(false);
    click(preview);
    await settle();
    expect(
      container.querySelector('.jp-MLC-addPackages-changes')?.textContent
    ).toBe('install tqdm 4.66.1');
    click(container.querySelector('.jp-MLC-addPackages-install'));
    React.act(() => {
      report('Collecting tqdm', 'download');
      report('Installing collected packages: tqdm', 'install');
    });
    const phases = Array.from(
      container.querySelectorAll('.jp-MLC-phases li')
    ).map(item => [
      item.getAttribute('data-phase'),
      item.getAttribute('data-state')
    ]);
    expect(phases).toEqual([
      ['resolve', 'done'],
      ['download', 'done'],
      ['install', 'current'],
      ['verify', 'waiting']
    ]);
    expect(container.querySelector('.jp-MLC-changeLog pre')?.textContent).toBe(
      'Collecting tqdm\nInstalling collected packages: tqdm'
    );
    expect(container.querySelector('textarea')?.disabled).toBe(true);
    running.resolve({ result: install({ dryRun: false, revision: 2 }) });
    await settle();
    expect(
      container.querySelector('.jp-MLC-addPackages-done')?.textContent
    ).toBe('Installed; the env is now at revision 2 (History… rolls it back).');
    expect(requests.map(request => [request.specs, request.dryRun])).toEqual([
      [['tqdm'], true],
      [['tqdm'], false]
    ]);
  });

  it('shows a refusal with the shadowed image packages, and installs only with the override', async () => {
    const requests: IInstallRequest[] = [];
    const container = render({
      preview: async request => {
        requests.push(request);
        return request.allowImageOverride
          ? {
              result: install({
                shadowed: [
                  { name: 'numpy', imageVersion: '1.26.4', envVersion: '2.1.3' }
                ]
              })
            }
          : {
              result: install({
                shadowed: [
                  { name: 'numpy', imageVersion: '1.26.4', envVersion: '2.1.3' }
                ],
                refused: 'numpy 1.26.4 (image) -> 2.1.3 (env)'
              })
            };
      },
      install: async () => ({ error: 'not expected' })
    });
    typeInto(
      container.querySelector('textarea') as HTMLTextAreaElement,
      'numpy==2.1.3'
    );
    click(container.querySelector('.jp-MLC-addPackages-preview'));
    await settle();
    expect(
      container.querySelector('.jp-MLC-addPackages-shadowed li')?.textContent
    ).toBe('numpy 1.26.4 (image) → 2.1.3 (env)');
    expect(container.querySelector('[role="alert"]')?.textContent).toBe(
      'numpy 1.26.4 (image) -> 2.1.3 (env)'
    );
    expect(
      container.querySelector<HTMLButtonElement>('.jp-MLC-addPackages-install')
        ?.disabled
    ).toBe(true);
    click(container.querySelector('input[name="mlc-install-override"]'));
    click(container.querySelector('.jp-MLC-addPackages-preview'));
    await settle();
    expect(
      container.querySelector<HTMLButtonElement>('.jp-MLC-addPackages-install')
        ?.disabled
    ).toBe(false);
    expect(requests.map(request => request.allowImageOverride)).toEqual([
      false,
      true
    ]);
  });

  it('says in one line why the preview failed, and keeps the form', async () => {
    const container = render({
      preview: async () => ({
        error: 'no such package on the index: tqdmm; check its name'
      }),
      install: async () => ({ error: 'not expected' })
    });
    typeInto(
      container.querySelector('textarea') as HTMLTextAreaElement,
      'tqdmm'
    );
    click(container.querySelector('.jp-MLC-addPackages-preview'));
    await settle();
    expect(container.querySelector('[role="alert"]')?.textContent).toBe(
      'no such package on the index: tqdmm; check its name'
    );
    expect(container.querySelector('textarea')?.disabled).toBe(false);
  });
});

describe('History', () => {
  const show = mountPerTest();

  const revision = (
    number: number,
    command: 'create' | 'install',
    args: string[]
  ): HistoryResult['revisions'][number] => ({
    number,
    time: '2025-06-01T10:00:00Z',
    command,
    args,
    image: IDENTITY,
    python: '3.11.7',
    pip: number > 1 ? [{ name: 'tqdm', version: '4.66.1' }] : [],
    conda: [],
    changes:
      number > 1
        ? [
            {
              name: 'tqdm',
              from: null,
              to: '4.66.1',
              kind: 'install',
              installer: 'pip'
            }
          ]
        : []
  });

  const HISTORY: HistoryResult = {
    prefix: ENV.prefix,
    revisions: [revision(1, 'create', []), revision(2, 'install', ['tqdm'])],
    current: 2,
    matchesCurrent: true,
    unreadable: []
  };

  it('lists the revisions newest first; a rollback asks once more, then runs and reloads', async () => {
    const calls: string[] = [];
    const actions: IHistoryActions = {
      history: async () => {
        calls.push('history');
        return {
          result: {
            ...HISTORY,
            revisions: [...HISTORY.revisions, revision(3, 'create', [])],
            current: 3
          }
        };
      },
      rollback: async number => {
        calls.push(`rollback ${number}`);
        return {
          result: {
            prefix: ENV.prefix,
            target: number,
            revision: 3,
            changes: [],
            logFile: null,
            elapsedMs: 5
          }
        };
      }
    };
    const container = show(
      <EnvHistory first={HISTORY} actions={actions} trans={englishBundle} />
    );
    const items = Array.from(
      container.querySelectorAll('.jp-MLC-history-revision')
    );
    expect(items.map(item => item.getAttribute('data-revision'))).toEqual([
      '2',
      '1'
    ]);
    expect(items[0].querySelector('strong')?.textContent).toBe(
      '2. installed tqdm'
    );
    expect(items[0].querySelector('.jp-MLC-history-current')).not.toBeNull();
    // The current revision has no rollback; the first one does.
    expect(items[0].querySelector('.jp-MLC-history-rollback')).toBeNull();
    const rollback = items[1].querySelector('.jp-MLC-history-rollback');
    click(rollback);
    expect(rollback?.textContent).toBe('Confirm: roll back to 1');
    expect(calls).toEqual([]);
    click(rollback);
    await settle();
    expect(calls).toEqual(['rollback 1', 'history']);
    expect(container.querySelector('[role="status"]')?.textContent).toBe(
      'Rolled back to revision 1 (recorded as revision 3).'
    );
    expect(container.querySelectorAll('.jp-MLC-history-revision')).toHaveLength(
      3
    );
  });

  it('says when the env drifted from its last revision, and which files were refused', () => {
    const container = show(
      <EnvHistory
        first={{
          ...HISTORY,
          matchesCurrent: false,
          unreadable: ['7.json: not valid JSON']
        }}
        actions={{
          history: async () => ({ error: 'x' }),
          rollback: async () => ({ error: 'x' })
        }}
        trans={englishBundle}
      />
    );
    expect(
      container.querySelector('.jp-MLC-history-drift')?.textContent
    ).toContain('no longer holds exactly what revision 2 recorded');
    expect(
      container.querySelector('.jp-MLC-history-unreadable')?.textContent
    ).toBe('1 revision file was refused: 7.json: not valid JSON');
    // Drifted: the current revision can be restored too.
    expect(container.querySelectorAll('.jp-MLC-history-rollback')).toHaveLength(
      2
    );
  });
});

describe('the rebase summary', () => {
  it('names the build dates and the counts, and the upgraded packages', () => {
    const mounted = mount(
      <RebaseSummary
        change={{
          recorded: IDENTITY,
          current: { ...IDENTITY, buildDate: '2025-06-01' },
          recordedBuild: '2025-01-01',
          currentBuild: '2025-06-01',
          upgraded: [{ name: 'numpy', from: '1.26.4', to: '2.1.3' }],
          added: [],
          removed: [{ name: 'six', version: '1.16' }]
        }}
        trans={englishBundle}
      />
    );
    expect(mounted.container.querySelector('p')?.textContent).toBe(
      'The image under this env was rebuilt (2025-01-01 → 2025-06-01); packages upgraded: 1, added: 0, removed: 1.'
    );
    expect(
      mounted.container.querySelector('.jp-MLC-rebase-upgraded li')?.textContent
    ).toBe('numpy 1.26.4 → 2.1.3');
    expect(
      mounted.container.querySelector('.jp-MLC-rebase-removed li')?.textContent
    ).toBe('six 1.16');
    expect(mounted.container.querySelector('.jp-MLC-rebase-added')).toBeNull();
    mounted.unmount();
  });
});
