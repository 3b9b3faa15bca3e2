/**
 * @jest-environment jsdom
 */
/**
 * The launcher section rendered by React into jsdom: hostile names from
 * kernel specs and image.json stay text, a malformed image.json costs one
 * warning line, and the tiles call back with the kernel and what to open.
 */
import * as React from 'react';
import type { ImageMetadata } from '../../src/core/imageMetadata';
import { envKernelSpec, imageKernelSpecs } from '../../src/core/kernelspec';
import {
  interpretImageJson,
  type ImageMetadataState
} from '../../src/lab/imageService/imageState';
import {
  catalogKernels,
  type ISpecLike
} from '../../src/lab/imageService/kernelCatalog';
import type { LaunchKind } from '../../src/lab/launcher/kernelTile';
import {
  LauncherSection,
  type ILauncherSectionProps
} from '../../src/lab/launcher/section';
import {
  click,
  englishBundle,
  mount,
  type IMounted
} from './launcherDomHelpers';

const PREFIX = '/opt/conda';
const IMG = '<img src=x onerror="globalThis.__mlcInjected=1">';
const SCRIPT = '<script>globalThis.__mlcInjected=2</script>';

const IMAGE: ImageMetadata = {
  schemaVersion: 1,
  name: `ml-base${IMG}`,
  tag: 'alma9-python311',
  os: `AlmaLinux ${SCRIPT}`,
  python: '3.11.7',
  flavour: 'cpu',
  buildDate: '2025-03-04T21:30:00Z',
  prefix: PREFIX,
  packages: [{ name: IMG, version: SCRIPT, source: 'pip' }]
};

function specsWithHostileEnv(): Record<string, ISpecLike> {
  const image = imageKernelSpecs({
    prefix: PREFIX,
    python: '3.11',
    image: IMAGE
  });
  const env = envKernelSpec({
    prefix: PREFIX,
    python: '3.11',
    image: IMAGE,
    envPrefix: `/home/u/envs/${SCRIPT}`,
    displayName: `${IMG} (ML env)`,
    envName: IMG
  });
  const spec = (
    name: string,
    file: { argv: string[]; display_name: string; metadata?: unknown }
  ): ISpecLike => ({
    name,
    argv: file.argv,
    display_name: file.display_name,
    metadata: file.metadata,
    resources: { 'logo-svg': `/kernelspecs/${name}/logo-svg.svg` }
  });
  return {
    python3: spec('python3', image.python3),
    'python3-usersite': spec('python3-usersite', image['python3-usersite']),
    'mlc-hostile-0badc0de': spec('mlc-hostile-0badc0de', env),
    foreign: spec('foreign', {
      argv: ['/usr/bin/python3', '-m', 'ipykernel_launcher'],
      display_name: `Host ${SCRIPT}`
    }),
    bare: spec('bare', {
      argv: ['python', '-m', 'ipykernel_launcher'],
      display_name: 'Server Python'
    })
  };
}

describe('LauncherSection', () => {
  let mounted: IMounted | null = null;
  let opened: [string, LaunchKind][] = [];
  let packageClicks = 0;

  function render(overrides: Partial<ILauncherSectionProps> = {}): HTMLElement {
    const props: ILauncherSectionProps = {
      catalog: catalogKernels(specsWithHostileEnv()),
      metadata: { status: 'ready', kernelName: 'python3', value: IMAGE },
      title: 'ML Image',
      showPackagesButton: true,
      trans: englishBundle,
      onOpen: (kernelName, kind) => opened.push([kernelName, kind]),
      onShowPackages: () => packageClicks++,
      ...overrides
    };
    mounted = mount(<LauncherSection {...props} />);
    return mounted.container;
  }

  beforeEach(() => {
    opened = [];
    packageClicks = 0;
    delete (globalThis as { __mlcInjected?: number }).__mlcInjected;
  });

  afterEach(() => {
    mounted?.unmount();
    mounted = null;
  });

  it('renders names from specs and image.json as text, never as HTML', () => {
    const container = render();
    expect(container.querySelector('img[src="x"]')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('.jp-MLC-card-reference')?.textContent).toBe(
      `ml-base${IMG}:alma9-python311`
    );
    expect(
      container.querySelector('.jp-MLC-card-facts')?.textContent
    ).toContain(`AlmaLinux ${SCRIPT}`);
    const envTile = container.querySelector('.jp-MLC-envTile');
    expect(envTile?.getAttribute('data-kernel-name')).toBe(
      'mlc-hostile-0badc0de'
    );
    expect(envTile?.querySelector('.jp-MLC-tile-name')?.textContent).toBe(IMG);
    expect(
      envTile?.querySelector('.jp-MLC-tile-description')?.textContent
    ).toBe(`/home/u/envs/${SCRIPT}`);
    expect(container.querySelector('.jp-MLC-others')?.textContent).toContain(
      `Host ${SCRIPT} /usr/bin/python3`
    );
    expect(
      (globalThis as { __mlcInjected?: number }).__mlcInjected
    ).toBeUndefined();
  });

  it('shows the card, both image kernels with what they do, and only the foreign kernels in the note', () => {
    const container = render();
    expect(container.querySelector('h2')?.textContent).toBe('ML Image');
    expect(container.querySelector('.jp-MLC-badge')?.textContent).toBe('CPU');
    expect(container.querySelector('.jp-MLC-card-facts')?.textContent).toBe(
      `OSAlmaLinux ${SCRIPT}Python3.11.7Built2025-03-04Prefix/opt/conda`
    );
    const tiles = Array.from(
      container.querySelectorAll('.jp-MLC-tile:not(.jp-MLC-envTile)')
    );
    expect(
      tiles.map(tile => [
        tile.getAttribute('data-kernel-name'),
        tile.querySelector('.jp-MLC-tile-description')?.textContent
      ])
    ).toEqual([
      ['python3', 'Isolated from ~/.local packages'],
      ['python3-usersite', 'Includes ~/.local packages']
    ]);
    expect(tiles[0].querySelector('img')?.getAttribute('src')).toBe(
      '/kernelspecs/python3/logo-svg.svg'
    );
    const note = container.querySelectorAll('.jp-MLC-others-kernel');
    expect(
      Array.from(note).map(kernel => kernel.getAttribute('data-kernel-name'))
    ).toEqual(['foreign']);
    expect(container.querySelector('.jp-MLC-others-label')?.textContent).toBe(
      '1 other kernel runs an interpreter this image does not have:'
    );
    expect(container.querySelector('.jp-MLC-card-warning')).toBeNull();
  });

  it('keeps the card and the tiles when image.json is malformed, with one warning line', () => {
    const broken = interpretImageJson(
      '{"schemaVersion": 1, "name": "ml-base", "packages": "oops"}'
    );
    expect(broken.ok).toBe(false);
    const metadata = {
      status: 'error',
      kernelName: 'python3',
      ...broken
    } as ImageMetadataState;
    const container = render({ metadata });
    const warning = container.querySelector('.jp-MLC-card-warning');
    expect(warning?.textContent).toMatch(
      /^image\.json is malformed \(.+\), so the package list is unavailable; rewrite it with "mlc image manifest"\.$/
    );
    expect(warning?.textContent).not.toContain('\n');
    // The spec facts still fill the card; the tiles still open kernels.
    expect(container.querySelector('.jp-MLC-card-reference')?.textContent).toBe(
      `ml-base${IMG}:alma9-python311`
    );
    expect(container.querySelector('.jp-MLC-card-packages')?.textContent).toBe(
      '1 package'
    );
    expect(container.querySelectorAll('.jp-MLC-tile')).toHaveLength(3);
  });

  it('calls back with the kernel and the kind from real, keyboard-reachable buttons', () => {
    const container = render();
    const buttons = Array.from(
      container.querySelectorAll<HTMLButtonElement>('.jp-MLC-tile-action')
    );
    expect(buttons).toHaveLength(6);
    expect(
      buttons.every(
        button =>
          button.tagName === 'BUTTON' &&
          button.type === 'button' &&
          button.tabIndex === 0
      )
    ).toBe(true);
    click(
      container.querySelector(
        '[data-kernel-name="python3"] [data-kind="notebook"]'
      )
    );
    click(
      container.querySelector(
        '[data-kernel-name="python3-usersite"] [data-kind="console"]'
      )
    );
    click(container.querySelector('.jp-MLC-envTile [data-kind="notebook"]'));
    expect(opened).toEqual([
      ['python3', 'notebook'],
      ['python3-usersite', 'console'],
      ['mlc-hostile-0badc0de', 'notebook']
    ]);
    expect(
      container
        .querySelector('[data-kernel-name="python3"] [data-kind="notebook"]')
        ?.getAttribute('title')
    ).toBe('Open a new notebook with ML-Python3');
    click(container.querySelector('.jp-MLC-card-packages'));
    expect(packageClicks).toBe(1);
  });

  it('follows the settings and the commands that exist', () => {
    const container = render({
      showPackagesButton: false,
      kinds: ['notebook'],
      title: 'Image'
    });
    expect(container.querySelector('h2')?.textContent).toBe('Image');
    expect(container.querySelector('.jp-MLC-card-packages')).toBeNull();
    expect(container.querySelector('.jp-MLC-card-count')?.textContent).toBe(
      '1 package'
    );
    expect(
      Array.from(container.querySelectorAll('.jp-MLC-tile-action')).map(
        button => button.textContent
      )
    ).toEqual(['Notebook', 'Notebook', 'Notebook']);
  });

  it('invites to create an env when there is none, and shows nothing without any of our kernels', () => {
    const specs = specsWithHostileEnv();
    delete specs['mlc-hostile-0badc0de'];
    const container = render({ catalog: catalogKernels(specs) });
    expect(container.querySelector('.jp-MLC-envTile')).toBeNull();
    expect(container.querySelector('.jp-MLC-hint')?.textContent).toContain(
      'Run "Create Extended Environment" from the command palette.'
    );
    mounted?.unmount();

    let creates = 0;
    const withCommand = render({
      catalog: catalogKernels(specs),
      onCreateEnv: () => creates++
    });
    click(withCommand.querySelector('.jp-MLC-hint button'));
    expect(creates).toBe(1);
    mounted?.unmount();

    const empty = render({
      catalog: catalogKernels({ bare: specs.bare }),
      metadata: { status: 'absent' }
    });
    expect(empty.innerHTML).toBe('');
  });
});
