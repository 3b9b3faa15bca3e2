/**
 * @jest-environment jsdom
 */
/**
 * "Remove Packages…" with scripted mlc answers (the env's own packages
 * listed, nothing to preview until one is picked, the preview, the
 * uninstall with its phases and log, a listing that failed), its argument
 * list and result parser; and the bounded lists of an image change the
 * update badge and the Rebase… dialog show (first N, "and K more", text
 * never HTML).
 */
import * as React from 'react';
import type { ChangePhase, IImageChange } from '../../src/core/envLife';
import type { InstallAnswer } from '../../src/lab/envActions/addPackagesView';
import { uninstallArgs } from '../../src/lab/envActions/mlcArgs';
import { RebaseSummary } from '../../src/lab/envActions/rebaseSummary';
import type { IOwnPackage } from '../../src/lab/envActions/removePackagesView';
import {
  uninstallResult,
  type InstallResult
} from '../../src/lab/envActions/results';
import {
  boundedList,
  imageChangeLines,
  MAX_CHANGES_NAMED
} from '../../src/lab/imageChangeWords';
import {
  deferred,
  ENV,
  removePackagesRenderer,
  settle,
  tqdmChange
} from './envDialogHelpers';
import { click, englishBundle, mount } from './launcherDomHelpers';

const uninstall = (overrides: Partial<InstallResult> = {}): InstallResult =>
  tqdmChange('remove', 'pip', overrides);

function tick(container: HTMLElement, name: string): void {
  const box = container.querySelector<HTMLInputElement>(
    `input[name="mlc-uninstall-package"][value="${name}"]`
  );
  expect(box).not.toBeNull();
  React.act(() => box?.click());
}

describe('uninstallArgs and uninstallResult', () => {
  it('puts every name after "--", so mlc never takes one for an option', () => {
    expect(
      uninstallArgs({
        prefix: ENV.prefix,
        names: ['-r', 'x'],
        installer: 'pip',
        dryRun: true
      })
    ).toEqual(['env', 'uninstall', ENV.prefix, '--dry-run', '--', '-r', 'x']);
    expect(
      uninstallArgs({
        prefix: ENV.prefix,
        names: ['tqdm'],
        installer: 'pip',
        dryRun: false
      })
    ).toEqual(['env', 'uninstall', ENV.prefix, '--', 'tqdm']);
  });

  it('takes the `env uninstall` result only', () => {
    const outcome = (command: string) => ({
      results: [{ command, data: uninstall() }],
      errors: [],
      exitCode: 0
    });
    expect(uninstallResult(outcome('env uninstall'))).toEqual(uninstall());
    expect(uninstallResult(outcome('env install'))).toBeNull();
  });
});

describe('the Remove Packages view', () => {
  const render = removePackagesRenderer();

  const OWN: IOwnPackage[] = [
    { name: 'tqdm', version: '4.66.1', installer: 'pip' },
    { name: '<b>rich</b>', version: '13.0', installer: 'pip' }
  ];

  it('lists the env’s own packages, previews the pick, then uninstalls with phases and log', async () => {
    const calls: Array<[string[], boolean]> = [];
    const running = deferred<InstallAnswer>();
    let report: (message: string, phase?: ChangePhase) => void = () =>
      undefined;
    const container = render({
      packages: async () => ({ packages: OWN }),
      preview: async names => {
        calls.push([names, true]);
        return { result: uninstall() };
      },
      uninstall: (names, _installer, onProgress) => {
        calls.push([names, false]);
        report = onProgress;
        return running.promise;
      }
    });
    await settle();
    // Sorted, and a name is text, never markup.
    expect(
      Array.from(
        container.querySelectorAll('.jp-MLC-removePackages-list label')
      ).map(label => label.textContent)
    ).toEqual(['<b>rich</b> 13.0', 'tqdm 4.66.1']);
    expect(container.querySelector('b')).toBeNull();
    const preview = container.querySelector<HTMLButtonElement>(
      '.jp-MLC-removePackages-preview'
    );
    expect(preview?.disabled).toBe(true);
    tick(container, 'tqdm');
    expect(preview?.disabled).toBe(false);
    click(preview);
    await settle();
    expect(
      container.querySelector('.jp-MLC-addPackages-changes')?.textContent
    ).toBe('remove tqdm 4.66.1');
    click(container.querySelector('.jp-MLC-removePackages-remove'));
    React.act(() => {
      report('Found existing installation: tqdm 4.66.1', 'install');
    });
    expect(
      container
        .querySelector('.jp-MLC-phases li[data-state="current"]')
        ?.getAttribute('data-phase')
    ).toBe('install');
    expect(
      container.querySelector<HTMLFieldSetElement>(
        '.jp-MLC-removePackages-list'
      )?.disabled
    ).toBe(true);
    expect(container.querySelector('.jp-MLC-changeLog pre')?.textContent).toBe(
      'Found existing installation: tqdm 4.66.1'
    );
    running.resolve({ result: uninstall({ dryRun: false, revision: 3 }) });
    await settle();
    expect(
      container.querySelector('.jp-MLC-addPackages-done')?.textContent
    ).toBe('Removed; the env is now at revision 3 (History… rolls it back).');
    expect(calls).toEqual([
      [['tqdm'], true],
      [['tqdm'], false]
    ]);
  });

  it('says why when the packages could not be listed, and offers nothing to remove', async () => {
    const container = render({
      packages: async () => ({ error: 'mlc: not an env made by mlc' }),
      preview: async () => ({ error: 'unexpected' }),
      uninstall: async () => ({ error: 'unexpected' })
    });
    await settle();
    expect(container.querySelector('[role="alert"]')?.textContent).toBe(
      'mlc: not an env made by mlc'
    );
    expect(
      container.querySelector<HTMLButtonElement>(
        '.jp-MLC-removePackages-preview'
      )?.disabled
    ).toBe(true);
  });

  it('says so when the env has no packages of its own', async () => {
    const container = render({
      packages: async () => ({ packages: [] }),
      preview: async () => ({ error: 'unexpected' }),
      uninstall: async () => ({ error: 'unexpected' })
    });
    await settle();
    expect(
      container.querySelector('.jp-MLC-removePackages-none')?.textContent
    ).toContain('no packages of its own');
  });

  it('keeps Remove off when the preview changes nothing, and a failure offers Back', async () => {
    const container = render({
      packages: async () => ({ packages: OWN }),
      preview: async () => ({ result: uninstall({ changes: [] }) }),
      uninstall: async () => ({ error: 'unexpected' })
    });
    await settle();
    tick(container, 'tqdm');
    click(container.querySelector('.jp-MLC-removePackages-preview'));
    await settle();
    expect(
      container.querySelector<HTMLButtonElement>(
        '.jp-MLC-removePackages-remove'
      )?.disabled
    ).toBe(true);
  });
});

describe('an image change in bounded lists', () => {
  const IDENTITY = {
    reference: 'ml-base:latest',
    buildDate: '2025-01-01',
    packagesDigest: 'a'.repeat(64),
    packageCount: 40,
    source: 'image.json' as const
  };
  const pkg = (index: number): string => `pkg${String(index).padStart(2, '0')}`;
  const many = MAX_CHANGES_NAMED + 3;
  const change: IImageChange = {
    recorded: IDENTITY,
    current: { ...IDENTITY, buildDate: '2025-06-01' },
    recordedBuild: '2025-01-01',
    currentBuild: '2025-06-01',
    upgraded: Array.from({ length: many }, (_, index) => ({
      name: pkg(index),
      from: '1.0',
      to: '2.0'
    })),
    added: [{ name: '<img src=x onerror=alert(1)>', version: '1' }],
    removed: []
  };

  it('names the first N of each kind, then "and K more"', () => {
    expect(boundedList(['a', 'b', 'c'], englishBundle, 2)).toBe(
      'a, b, and 1 more'
    );
    expect(boundedList(['a', 'b'], englishBundle, 2)).toBe('a, b');
    const lines = imageChangeLines(change, englishBundle);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Upgraded: pkg00 1\.0 → 2\.0, /);
    expect(lines[0]).toContain(
      `${pkg(MAX_CHANGES_NAMED - 1)} 1.0 → 2.0, and 3 more`
    );
    expect(lines[0]).not.toContain(`${pkg(MAX_CHANGES_NAMED)} `);
    expect(lines[1]).toBe('Added: <img src=x onerror=alert(1)> 1');
  });

  it('shows them in the Rebase… dialog as text, never as markup', () => {
    const mounted = mount(
      <RebaseSummary change={change} trans={englishBundle} />
    );
    const upgraded = Array.from(
      mounted.container.querySelectorAll('.jp-MLC-rebase-upgraded li')
    ).map(item => item.textContent);
    expect(upgraded).toHaveLength(MAX_CHANGES_NAMED + 1);
    expect(upgraded[MAX_CHANGES_NAMED]).toBe('and 3 more');
    expect(
      mounted.container.querySelector('.jp-MLC-rebase-added li')?.textContent
    ).toBe('<img src=x onerror=alert(1)> 1');
    expect(mounted.container.querySelector('img')).toBeNull();
    mounted.unmount();
  });
});
