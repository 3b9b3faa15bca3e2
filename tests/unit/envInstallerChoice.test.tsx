/**
 * @jest-environment jsdom
 */
/**
 * Pip or conda in Add Packages… and Remove Packages…: the argument lists
 * (a spec or a channel never becomes an option of mlc's), the rule that
 * opens conda only for an image with a conda installer, and the dialogs
 * with it: conda disabled with the reason, chosen with a channel, and mlc's
 * one-line refusal of --conda shown as the error.
 */
import fc from 'fast-check';
import * as React from 'react';
import {
  parseSpecs,
  type IAddPackagesActions
} from '../../src/lab/envActions/addPackagesView';
import {
  condaChoice,
  condaChoiceFor,
  parseChannel,
  type CondaChoice
} from '../../src/lab/envActions/installerChoice';
import {
  installArgs,
  uninstallArgs,
  type IInstallRequest
} from '../../src/lab/envActions/mlcArgs';
import type { IRemovePackagesActions } from '../../src/lab/envActions/removePackagesView';
import type { InstallResult } from '../../src/lab/envActions/results';
import { outcomeProblem } from '../../src/lab/envActions/terminalTransport';
import type { IMLImage } from '../../src/lab/tokens';
import {
  addPackagesRenderer,
  ENV,
  removePackagesRenderer,
  settle,
  tqdmChange
} from './envDialogHelpers';
import { click, englishBundle, typeInto } from './launcherDomHelpers';

const CONDA: CondaChoice = { enabled: true, installer: 'micromamba' };

function request(overrides: Partial<IInstallRequest> = {}): IInstallRequest {
  return {
    prefix: ENV.prefix,
    specs: ['tqdm'],
    installer: 'pip',
    channel: '',
    dryRun: false,
    allowImageOverride: false,
    ...overrides
  };
}

const result = (installer: 'pip' | 'conda'): InstallResult =>
  tqdmChange('install', installer, { elapsedMs: 5 });

function radio(container: HTMLElement, value: string): HTMLInputElement {
  const input = container.querySelector<HTMLInputElement>(
    `input[type="radio"][value="${value}"]`
  );
  if (!input) {
    throw new Error(`no ${value} radio`);
  }
  return input;
}

describe('installArgs and uninstallArgs with an installer', () => {
  it('passes --conda and the channel as one --channel= argument, before "--"', () => {
    expect(
      installArgs(
        request({ installer: 'conda', channel: 'conda-forge', dryRun: true })
      )
    ).toEqual([
      'env',
      'install',
      ENV.prefix,
      '--conda',
      '--channel=conda-forge',
      '--dry-run',
      '--',
      'tqdm'
    ]);
    // pip has no channel: a channel typed before switching back is not sent.
    expect(installArgs(request({ channel: 'conda-forge' }))).toEqual([
      'env',
      'install',
      ENV.prefix,
      '--',
      'tqdm'
    ]);
    expect(
      uninstallArgs({
        prefix: ENV.prefix,
        names: ['zlib'],
        installer: 'conda',
        dryRun: true
      })
    ).toEqual([
      'env',
      'uninstall',
      ENV.prefix,
      '--conda',
      '--dry-run',
      '--',
      'zlib'
    ]);
  });

  it('never lets a spec become an option: every spec follows "--", as given', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 20 }), {
          minLength: 1,
          maxLength: 6
        }),
        fc.constantFrom<'pip' | 'conda'>('pip', 'conda'),
        fc.boolean(),
        fc.string({ maxLength: 30 }),
        (specs, installer, dryRun, channelText) => {
          const channel = parseChannel(channelText);
          const args = installArgs(
            request({
              specs,
              installer,
              dryRun,
              channel: 'channel' in channel ? channel.channel : ''
            })
          );
          const split = args.indexOf('--');
          expect(args.slice(split + 1)).toEqual(specs);
          // Before "--": the verb, the prefix and mlc's own flags only.
          for (const arg of args.slice(3, split)) {
            expect(arg).toMatch(/^--(conda|dry-run|channel=[^-\s].*)$/);
          }
        }
      )
    );
  });

  it('takes a channel name or URL, and refuses an option or a spaced text', () => {
    expect(parseChannel('  conda-forge ')).toEqual({ channel: 'conda-forge' });
    expect(parseChannel('file:///srv/channel')).toEqual({
      channel: 'file:///srv/channel'
    });
    expect(parseChannel('')).toEqual({ channel: '' });
    expect(parseChannel('--override-channels')).toEqual({
      problem: 'option'
    });
    expect(parseChannel('conda forge')).toEqual({ problem: 'shape' });
    expect(parseChannel('a\u0007b')).toEqual({ problem: 'shape' });
    expect(parseChannel('x'.repeat(501))).toEqual({ problem: 'shape' });
  });

  it('refuses a spec that starts with "-" before any run', () => {
    expect('problem' in parseSpecs('tqdm -c evil', englishBundle)).toBe(true);
  });
});

describe('the conda enabling rule', () => {
  const micromamba = { name: 'micromamba', source: 'conda' as const };
  const numpy = { name: 'numpy', source: 'conda' as const };

  it("follows mlc's report when there is one", () => {
    expect(condaChoice({ reported: 'mamba', imagePackages: [numpy] })).toEqual({
      enabled: true,
      installer: 'mamba'
    });
    // mlc looked and found none: image.json does not overrule it.
    expect(
      condaChoice({ reported: null, imagePackages: [micromamba] })
    ).toEqual({ enabled: false, why: 'none' });
    // A name that is no installer name is not shown, nor trusted.
    expect(
      condaChoice({ reported: '<img src=x>', imagePackages: [micromamba] })
    ).toEqual({ enabled: false, why: 'unknown' });
  });

  it("else opens conda only when this image's package list has a conda installer", () => {
    expect(
      condaChoice({
        reported: undefined,
        imagePackages: [numpy, { name: 'conda', source: 'conda' }, micromamba]
      })
    ).toEqual({ enabled: true, installer: 'micromamba' });
    expect(
      condaChoice({ reported: undefined, imagePackages: [numpy] })
    ).toEqual({ enabled: false, why: 'unknown' });
    // A pip package named conda is not the image's conda installer.
    expect(
      condaChoice({
        reported: undefined,
        imagePackages: [{ name: 'conda', source: 'pip' }]
      })
    ).toEqual({ enabled: false, why: 'unknown' });
    // An env on another image: this image's list says nothing about it.
    expect(condaChoice({ reported: undefined, imagePackages: null })).toEqual({
      enabled: false,
      why: 'unknown'
    });
  });
});

describe('the conda choice from what the launcher knows', () => {
  const OTHER = '/home/u/envs/other';

  /** An IMLImage as the kernel specs, image.json and env list left it. */
  function image(options: {
    onOtherBase?: boolean;
    kernel?: boolean;
    reported?: string | null;
    basePrefix?: string;
  }): IMLImage {
    const report = {
      ...ENV,
      basePrefix: options.basePrefix ?? '/opt/conda',
      baseImage: 'ml-base:latest',
      python: '3.11',
      createdAt: '2025-01-01T00:00:00Z',
      problems: [],
      ...(options.reported !== undefined && {
        condaInstaller: options.reported
      })
    };
    return {
      catalog: {
        imageKernels: [],
        envKernels:
          options.kernel === false
            ? []
            : [
                {
                  name: ENV.kernelName,
                  displayName: ENV.name,
                  logoUrl: '',
                  envName: ENV.name,
                  envPrefix: ENV.prefix,
                  onOtherBase: options.onOtherBase ?? false
                }
              ],
        danglingKernels: [],
        otherKernels: [],
        facts: { prefix: '/opt/conda' }
      },
      metadata: {
        status: 'ready',
        kernelName: 'ml-python3',
        value: {
          packages: [{ name: 'mamba', version: '1.5', source: 'conda' }]
        }
      },
      envReports: new Map(
        options.reported === undefined && options.kernel !== false
          ? []
          : [[ENV.prefix, report]]
      )
    } as unknown as IMLImage;
  }

  it('opens conda for an env on this image whose image.json lists an installer, before any env list', () => {
    expect(condaChoiceFor(image({}), ENV.prefix)).toEqual({
      enabled: true,
      installer: 'mamba'
    });
    expect(condaChoiceFor(image({ onOtherBase: true }), ENV.prefix)).toEqual({
      enabled: false,
      why: 'unknown'
    });
    expect(condaChoiceFor(image({}), OTHER)).toEqual({
      enabled: false,
      why: 'unknown'
    });
    expect(condaChoiceFor(null, ENV.prefix)).toEqual({
      enabled: false,
      why: 'unknown'
    });
  });

  it('takes mlc’s word once the env list reported, and judges a kernel-less env by its base', () => {
    expect(condaChoiceFor(image({ reported: null }), ENV.prefix)).toEqual({
      enabled: false,
      why: 'none'
    });
    expect(
      condaChoiceFor(
        image({ reported: 'micromamba', onOtherBase: true }),
        ENV.prefix
      )
    ).toEqual({ enabled: true, installer: 'micromamba' });
    expect(condaChoiceFor(image({ kernel: false }), ENV.prefix)).toEqual({
      enabled: true,
      installer: 'mamba'
    });
    expect(
      condaChoiceFor(
        image({ kernel: false, basePrefix: '/cvmfs/other/opt/conda' }),
        ENV.prefix
      )
    ).toEqual({ enabled: false, why: 'unknown' });
  });
});

describe('Add Packages with an installer choice', () => {
  const render = addPackagesRenderer();

  const unexpected: IAddPackagesActions = {
    preview: async () => ({ error: 'unexpected' }),
    install: async () => ({ error: 'unexpected' })
  };

  it('offers pip by default, and conda disabled with the reason when the image has none', () => {
    const container = render(unexpected, { enabled: false, why: 'none' });
    expect(radio(container, 'pip').checked).toBe(true);
    const conda = radio(container, 'conda');
    expect(conda.disabled).toBe(true);
    const note = container.querySelector(
      `#${conda.getAttribute('aria-describedby')}`
    );
    expect(note?.textContent).toContain('has no conda installer');
    expect(container.querySelector('input[name="mlc-install-channel"]')).toBe(
      null
    );
  });

  it('previews with conda and a channel, and shows mlc’s refusal of --conda as the error', async () => {
    const requests: IInstallRequest[] = [];
    const container = render(
      {
        preview: async wanted => {
          requests.push(wanted);
          // What the runner gives for mlc's one-line UserError.
          return {
            error:
              outcomeProblem({
                results: [],
                errors: [
                  {
                    message: '--conda is not supported yet',
                    hint: 'install pip packages (leave out --conda)'
                  }
                ],
                exitCode: 2
              }) ?? ''
          };
        },
        install: unexpected.install
      },
      CONDA
    );
    expect(radio(container, 'conda').disabled).toBe(false);
    expect(radio(container, 'conda').closest('label')?.textContent).toContain(
      'micromamba'
    );
    typeInto(
      container.querySelector('textarea') as HTMLTextAreaElement,
      'zlib'
    );
    React.act(() => radio(container, 'conda').click());
    const channel = container.querySelector<HTMLInputElement>(
      'input[name="mlc-install-channel"]'
    );
    expect(channel).not.toBeNull();
    const preview = container.querySelector<HTMLButtonElement>(
      '.jp-MLC-addPackages-preview'
    );
    // A channel that could be an option: said at once, no preview.
    typeInto(channel as HTMLInputElement, '--override-channels');
    expect(preview?.disabled).toBe(true);
    expect(container.querySelector('[role="alert"]')?.textContent).toContain(
      'starts with "-"'
    );
    typeInto(channel as HTMLInputElement, 'conda-forge');
    expect(preview?.disabled).toBe(false);
    click(preview);
    await settle();
    expect(requests).toEqual([
      request({
        specs: ['zlib'],
        installer: 'conda',
        channel: 'conda-forge',
        dryRun: true
      })
    ]);
    expect(container.querySelector('[role="alert"]')?.textContent).toBe(
      '--conda is not supported yet; install pip packages (leave out --conda)'
    );
    // The form stays: back to pip, and the next preview goes without --conda.
    React.act(() => radio(container, 'pip').click());
    expect(container.querySelector('input[name="mlc-install-channel"]')).toBe(
      null
    );
  });

  it('installs with conda when the preview passed', async () => {
    const requests: IInstallRequest[] = [];
    const container = render(
      {
        preview: async wanted => {
          requests.push(wanted);
          return { result: result('conda') };
        },
        install: async wanted => {
          requests.push(wanted);
          return { result: { ...result('conda'), dryRun: false, revision: 2 } };
        }
      },
      CONDA
    );
    typeInto(
      container.querySelector('textarea') as HTMLTextAreaElement,
      'zlib'
    );
    React.act(() => radio(container, 'conda').click());
    click(container.querySelector('.jp-MLC-addPackages-preview'));
    await settle();
    click(container.querySelector('.jp-MLC-addPackages-install'));
    await settle();
    expect(requests.map(wanted => [wanted.installer, wanted.dryRun])).toEqual([
      ['conda', true],
      ['conda', false]
    ]);
    expect(
      container.querySelectorAll('.jp-MLC-phases li[data-state="done"]')
    ).toHaveLength(4);
  });
});

describe('Remove Packages with an installer choice', () => {
  const render = removePackagesRenderer();

  it('lists the packages of the chosen installer, and removes with it', async () => {
    const calls: Array<[string[], string, boolean]> = [];
    const actions: IRemovePackagesActions = {
      packages: async () => ({
        packages: [
          { name: 'tqdm', version: '4.66.1', installer: 'pip' },
          { name: 'zlib', version: '1.3', installer: 'conda' }
        ]
      }),
      preview: async (names, installer) => {
        calls.push([names, installer, true]);
        return { result: result(installer) };
      },
      uninstall: async (names, installer) => {
        calls.push([names, installer, false]);
        return { result: { ...result(installer), dryRun: false } };
      }
    };
    const container = render(actions, CONDA);
    await settle();
    const listed = (): string[] =>
      Array.from(
        container.querySelectorAll<HTMLInputElement>(
          'input[name="mlc-uninstall-package"]'
        )
      ).map(box => box.value);
    expect(listed()).toEqual(['tqdm']);
    React.act(() => radio(container, 'conda').click());
    expect(listed()).toEqual(['zlib']);
    React.act(() =>
      container.querySelector<HTMLInputElement>('input[value="zlib"]')?.click()
    );
    click(container.querySelector('.jp-MLC-removePackages-preview'));
    await settle();
    click(container.querySelector('.jp-MLC-removePackages-remove'));
    await settle();
    expect(calls).toEqual([
      [['zlib'], 'conda', true],
      [['zlib'], 'conda', false]
    ]);
  });

  it('keeps conda closed without an installer, even for conda packages', async () => {
    const container = render({
      packages: async () => ({
        packages: [{ name: 'zlib', version: '1.3', installer: 'conda' }]
      }),
      preview: async () => ({ error: 'unexpected' }),
      uninstall: async () => ({ error: 'unexpected' })
    });
    await settle();
    expect(radio(container, 'conda').disabled).toBe(true);
    expect(
      container.querySelector('.jp-MLC-removePackages-none')?.textContent
    ).toBe('The env has no packages of its own from pip.');
  });
});
