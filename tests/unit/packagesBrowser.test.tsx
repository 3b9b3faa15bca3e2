/**
 * @jest-environment jsdom
 */
/**
 * The package browser rendered by React into jsdom with 2,000 packages:
 * windowed rows, filtering as the user types, sorting from the headers, and
 * package names carrying HTML and script shown as text.
 */
import * as React from 'react';
import type { ImageMetadata, ImagePackage } from '../../src/core/imageMetadata';
import type { ImageMetadataState } from '../../src/lab/imageService/imageState';
import {
  PACKAGE_ROW_HEIGHT,
  PackageBrowser
} from '../../src/lab/packageBrowser/packageBrowser';
import {
  click,
  englishBundle,
  mount,
  typeInto,
  type IMounted
} from './launcherDomHelpers';

const IMG = '<img src=x onerror="globalThis.__mlcInjected=1">';
const SCRIPT = '<script>globalThis.__mlcInjected=2</script>';
const VIEW_HEIGHT = 260;

function image(): ImageMetadata {
  const packages: ImagePackage[] = [];
  for (let i = 0; i < 1998; i++) {
    const n = (i * 7919) % 1998;
    packages.push({
      name: `pkg-${String(n).padStart(4, '0')}`,
      version: `1.${n % 17}.0`,
      source: (['conda', 'pip', 'system'] as const)[n % 3]
    });
  }
  packages.push(
    { name: IMG, version: '1.0', source: 'pip' },
    { name: 'zz-last', version: SCRIPT, source: 'conda' }
  );
  return {
    schemaVersion: 1,
    name: 'ml-base',
    tag: 'alma9-python311',
    os: 'AlmaLinux 9.4',
    python: '3.11.7',
    flavour: 'cpu',
    buildDate: '2025-03-04T21:30:00Z',
    prefix: '/opt/conda',
    packages
  };
}

describe('PackageBrowser', () => {
  let mounted: IMounted | null = null;

  function render(metadata: ImageMetadataState): HTMLElement {
    mounted = mount(
      <PackageBrowser
        metadata={metadata}
        trans={englishBundle}
        initialHeight={VIEW_HEIGHT}
      />
    );
    return mounted.container;
  }

  const names = (container: HTMLElement): string[] =>
    Array.from(
      container.querySelectorAll('.jp-MLC-packages-body .jp-MLC-packages-name')
    ).map(cell => cell.textContent ?? '');
  const count = (container: HTMLElement): string | null | undefined =>
    container.querySelector('.jp-MLC-packages-count')?.textContent;

  afterEach(() => {
    mounted?.unmount();
    mounted = null;
  });

  it('renders only the rows in view out of 2,000', () => {
    const container = render({
      status: 'ready',
      kernelName: 'python3',
      value: image()
    });
    expect(count(container)).toBe('2000 packages');
    const rows = container.querySelectorAll(
      '.jp-MLC-packages-body [role="row"]'
    );
    expect(rows.length).toBeGreaterThan(VIEW_HEIGHT / PACKAGE_ROW_HEIGHT);
    expect(rows.length).toBeLessThan(30);
    // The scroll area is as tall as all rows, so the scrollbar is true to the list.
    const spacer = container.querySelector(
      '.jp-MLC-packages-body > div'
    ) as HTMLElement;
    expect(spacer.style.height).toBe(`${2000 * PACKAGE_ROW_HEIGHT}px`);
    expect(
      container.querySelector('[role="table"]')?.getAttribute('aria-rowcount')
    ).toBe('2001');
  });

  it('filters as the user types, across name, version and source', () => {
    const container = render({
      status: 'ready',
      kernelName: 'python3',
      value: image()
    });
    const search = container.querySelector(
      'input.jp-MLC-packages-search'
    ) as HTMLInputElement;
    typeInto(search, 'pkg-000');
    expect(names(container)).toEqual([
      'pkg-0000',
      'pkg-0001',
      'pkg-0002',
      'pkg-0003',
      'pkg-0004',
      'pkg-0005',
      'pkg-0006',
      'pkg-0007',
      'pkg-0008',
      'pkg-0009'
    ]);
    expect(count(container)).toBe('10 of 2000 packages');
    typeInto(search, 'pkg-000 pip');
    expect(names(container)).toEqual(['pkg-0001', 'pkg-0004', 'pkg-0007']);
    typeInto(search, 'tensorflow');
    expect(names(container)).toEqual([]);
    expect(
      container.querySelector('.jp-MLC-packages-table [role="status"]')
        ?.textContent
    ).toBe('No package matches "tensorflow".');
    typeInto(search, '');
    expect(count(container)).toBe('2000 packages');
  });

  it('sorts from the column headers, ascending then descending', () => {
    const container = render({
      status: 'ready',
      kernelName: 'python3',
      value: image()
    });
    const header = (column: string) =>
      container.querySelector(`button[data-column="${column}"]`);
    const sortState = () =>
      Array.from(container.querySelectorAll('[role="columnheader"]')).map(
        cell => cell.getAttribute('aria-sort')
      );
    expect(sortState()).toEqual(['ascending', 'none', 'none']);
    expect(names(container)[0]).toBe(IMG);
    click(header('name'));
    expect(sortState()).toEqual(['descending', 'none', 'none']);
    expect(names(container).slice(0, 2)).toEqual(['zz-last', 'pkg-1997']);
    click(header('source'));
    expect(sortState()).toEqual(['none', 'none', 'ascending']);
    const sources = Array.from(
      container.querySelectorAll('.jp-MLC-packages-body .jp-MLC-source')
    ).map(cell => cell.textContent);
    expect(new Set(sources)).toEqual(new Set(['conda']));
    expect(names(container).slice(0, 2)).toEqual(['pkg-0000', 'pkg-0003']);
    click(header('version'));
    click(header('version'));
    expect(sortState()).toEqual(['none', 'descending', 'none']);
    expect(
      container.querySelector('.jp-MLC-packages-body .jp-MLC-packages-version')
        ?.textContent
    ).toBe('1.16.0');
  });

  it('shows package names and versions carrying HTML as text', () => {
    const container = render({
      status: 'ready',
      kernelName: 'python3',
      value: image()
    });
    typeInto(
      container.querySelector(
        'input.jp-MLC-packages-search'
      ) as HTMLInputElement,
      'x'
    );
    expect(names(container)).toContain(IMG);
    typeInto(
      container.querySelector(
        'input.jp-MLC-packages-search'
      ) as HTMLInputElement,
      'zz-last'
    );
    expect(
      container.querySelector('.jp-MLC-packages-body .jp-MLC-packages-version')
        ?.textContent
    ).toBe(SCRIPT);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(
      (globalThis as { __mlcInjected?: number }).__mlcInjected
    ).toBeUndefined();
  });

  it('says why there is no list', () => {
    const message = (metadata: ImageMetadataState) => {
      const container = render(metadata);
      const text = container.querySelector('[role="status"]')?.textContent;
      mounted?.unmount();
      mounted = null;
      return text;
    };
    expect(message({ status: 'absent' })).toBe(
      'No kernel of an ML image is installed on this server, so there is no package list.'
    );
    expect(message({ status: 'loading', kernelName: 'python3' })).toBe(
      'Loading the package list…'
    );
    expect(
      message({
        status: 'error',
        kernelName: 'python3',
        problem: 'missing',
        detail: 'python3'
      })
    ).toMatch(/^Kernel python3 has no image\.json/);
  });
});
