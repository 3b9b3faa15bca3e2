/**
 * @jest-environment jsdom
 */
/**
 * The env tiles' menu and update badge: a menu button on every env tile
 * (not on the image's), the badge only where mlc reported the image
 * changed, the note on hidden kernels of deleted envs; and the Lumino menu
 * the button opens, with the env commands that exist, driven by the
 * keyboard as a user does.
 */
import './jsdomLumino';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';
import { ENV_MENU_COMMANDS, CommandIDs } from '../../src/lab/commandIds';
import { BASE_UPDATED, type IImageChange } from '../../src/core/envLife';
import type { IEnvSummary } from '../../src/core/envRecord';
import { envKernelSpec, imageKernelSpecs } from '../../src/core/kernelspec';
import {
  catalogKernels,
  withoutDanglingKernels,
  type ISpecLike
} from '../../src/lab/imageService/kernelCatalog';
import { openEnvMenu } from '../../src/lab/launcher/envMenu';
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
const ENV_A = '/home/u/envs/alpha';
const ENV_B = '/home/u/envs/beta';

function specs(): Record<string, ISpecLike> {
  const image = imageKernelSpecs({ prefix: PREFIX, python: '3.11' });
  const env = (name: string, envPrefix: string): ISpecLike => {
    const file = envKernelSpec({
      prefix: PREFIX,
      python: '3.11',
      envPrefix,
      displayName: name,
      envName: name
    });
    return {
      name: `mlc-${name}`,
      argv: file.argv,
      display_name: file.display_name,
      metadata: file.metadata
    };
  };
  return {
    python3: {
      name: 'python3',
      argv: image.python3.argv,
      display_name: image.python3.display_name,
      metadata: image.python3.metadata
    },
    'mlc-alpha': env('alpha', ENV_A),
    'mlc-beta': env('beta', ENV_B),
    'mlc-gone': env('gone', '/home/u/envs/gone')
  };
}

const IDENTITY = {
  reference: 'ml-base:latest',
  buildDate: '2025-01-01',
  packagesDigest: 'a'.repeat(64),
  packageCount: 10,
  source: 'image.json' as const
};

const CHANGE: IImageChange = {
  recorded: IDENTITY,
  current: {
    ...IDENTITY,
    buildDate: '2025-06-01',
    packagesDigest: 'b'.repeat(64)
  },
  recordedBuild: '2025-01-01',
  currentBuild: '2025-06-01',
  upgraded: [{ name: 'numpy', from: '1.26.4', to: '2.1.3' }],
  added: [{ name: 'rich', version: '13.0' }],
  removed: []
};

function summary(
  prefix: string,
  codes: string[],
  extra: Partial<IEnvSummary> = {}
): IEnvSummary {
  return {
    name: prefix.slice(prefix.lastIndexOf('/') + 1),
    prefix,
    basePrefix: PREFIX,
    baseImage: '',
    python: '3.11',
    createdAt: '',
    kernelName: `mlc-${prefix.slice(prefix.lastIndexOf('/') + 1)}`,
    problems: codes.map(code => ({
      code,
      message: `mlc says ${code}`,
      fixable: false,
      hint: ''
    })),
    ...extra
  };
}

describe('env tiles in the launcher section', () => {
  let mounted: IMounted | null = null;
  afterEach(() => {
    mounted?.unmount();
    mounted = null;
  });

  function render(overrides: Partial<ILauncherSectionProps> = {}): HTMLElement {
    const reports = new Map(
      [
        summary(ENV_A, [BASE_UPDATED], { imageChange: CHANGE }),
        summary(ENV_B, []),
        summary('/home/u/envs/gone', ['env-missing'])
      ].map(env => [env.prefix, env])
    );
    const props: ILauncherSectionProps = {
      catalog: withoutDanglingKernels(catalogKernels(specs()), reports),
      metadata: { status: 'absent' },
      title: 'ML Image',
      showPackagesButton: false,
      trans: englishBundle,
      onOpen: () => undefined,
      onShowPackages: () => undefined,
      envReports: reports,
      ...overrides
    };
    mounted = mount(<LauncherSection {...props} />);
    return mounted.container;
  }

  it('gives each env tile a menu button, and the image tiles none', () => {
    const menus: [string, HTMLElement][] = [];
    const container = render({
      onEnvMenu: (prefix, anchor) => menus.push([prefix, anchor])
    });
    const buttons = Array.from(
      container.querySelectorAll<HTMLButtonElement>('.jp-MLC-tile-menuButton')
    );
    expect(
      buttons.map(button =>
        button.closest('[data-kernel-name]')?.getAttribute('data-kernel-name')
      )
    ).toEqual(['mlc-alpha', 'mlc-beta']);
    expect(buttons[0].getAttribute('aria-haspopup')).toBe('menu');
    expect(buttons[0].getAttribute('aria-label')).toBe(
      'More actions for alpha'
    );
    expect(buttons.every(button => button.tabIndex === 0)).toBe(true);
    click(buttons[1]);
    expect(menus).toEqual([[ENV_B, buttons[1]]]);
  });

  it('shows the update badge only where mlc reported the image changed, with the summary', () => {
    const updates: string[] = [];
    const container = render({ onImageUpdate: prefix => updates.push(prefix) });
    const badges = Array.from(
      container.querySelectorAll<HTMLButtonElement>('.jp-MLC-tile-badge')
    );
    expect(badges).toHaveLength(1);
    expect(
      badges[0].closest('[data-kernel-name]')?.getAttribute('data-kernel-name')
    ).toBe('mlc-alpha');
    expect(badges[0].textContent).toBe('Image updated');
    expect(badges[0].title).toBe(
      'The image under this env changed (built 2025-01-01 → 2025-06-01); packages upgraded: 1, added: 1, removed: 0. Rebase the env to build its packages on it.\n' +
        'Upgraded: numpy 1.26.4 → 2.1.3\n' +
        'Added: rich 13.0'
    );
    click(badges[0]);
    expect(updates).toEqual([ENV_A]);
  });

  it('has no badge before the session check reported, and no menu without the commands', () => {
    const container = render({
      envReports: new Map(),
      catalog: catalogKernels(specs())
    });
    expect(container.querySelector('.jp-MLC-tile-badge')).toBeNull();
    expect(container.querySelector('.jp-MLC-tile-menuButton')).toBeNull();
    expect(container.querySelectorAll('.jp-MLC-envTile')).toHaveLength(3);
  });

  it('hides the tile of a deleted env and says so, with a way to unregister it', () => {
    let checks = 0;
    const container = render({ onCheckEnvs: () => checks++ });
    expect(container.querySelectorAll('.jp-MLC-envTile')).toHaveLength(2);
    expect(container.querySelector('[data-kernel-name="mlc-gone"]')).toBeNull();
    expect(container.querySelector('.jp-MLC-dangling')?.textContent).toBe(
      'The kernel of 1 env that was deleted is hidden. Unregister them…'
    );
    click(container.querySelector('.jp-MLC-dangling-check'));
    expect(checks).toBe(1);
  });
});

describe('openEnvMenu', () => {
  function registry(executed: [string, unknown][]): CommandRegistry {
    const commands = new CommandRegistry();
    const labels: Record<string, string> = {
      [CommandIDs.addPackages]: 'Add Packages…',
      [CommandIDs.envHistory]: 'History…',
      [CommandIDs.rebaseEnv]: 'Rebase…',
      [CommandIDs.daskConfig]: 'Scale Out with Dask…',
      [CommandIDs.removeEnv]: 'Remove…'
    };
    // Export is left out: a command that does not exist has no entry.
    for (const [id, label] of Object.entries(labels)) {
      commands.addCommand(id, {
        label,
        isVisible: args => id !== CommandIDs.rebaseEnv || args.prefix === ENV_A,
        execute: args => {
          executed.push([id, args]);
        }
      });
    }
    return commands;
  }

  function anchor(): HTMLButtonElement {
    const button = document.createElement('button');
    document.body.appendChild(button);
    return button;
  }

  /** A key press as the browser sends it (Lumino's menu reads the legacy keyCode). */
  function key(target: Element, name: 'ArrowDown' | 'Enter' | 'Escape'): void {
    const codes = { ArrowDown: 40, Enter: 13, Escape: 27 };
    const event = new KeyboardEvent('keydown', {
      key: name,
      bubbles: true,
      cancelable: true
    });
    Object.defineProperty(event, 'keyCode', { value: codes[name] });
    target.dispatchEvent(event);
  }

  it('lists the env commands that exist, Rebase only for an env whose image changed', () => {
    const executed: [string, unknown][] = [];
    const commands = registry(executed);
    const button = anchor();
    const menu = openEnvMenu(
      commands,
      ENV_MENU_COMMANDS,
      { prefix: ENV_B },
      button
    );
    const labels = Array.from(
      document.querySelectorAll(
        '.jp-MLC-envMenu .lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel'
      )
    ).map(node => node.textContent);
    expect(labels).toEqual([
      'Add Packages…',
      'History…',
      'Scale Out with Dask…',
      'Remove…'
    ]);
    menu?.close();
    const again = openEnvMenu(
      commands,
      ENV_MENU_COMMANDS,
      { prefix: ENV_A },
      button
    );
    expect(
      Array.from(
        document.querySelectorAll(
          '.jp-MLC-envMenu .lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel'
        )
      ).map(node => node.textContent)
    ).toEqual([
      'Add Packages…',
      'History…',
      'Rebase…',
      'Scale Out with Dask…',
      'Remove…'
    ]);
    again?.close();
    button.remove();
  });

  it('takes the keyboard at once: arrows move, Enter runs the command with the env', () => {
    const executed: [string, unknown][] = [];
    const commands = registry(executed);
    const button = anchor();
    const menu = openEnvMenu(
      commands,
      ENV_MENU_COMMANDS,
      { prefix: ENV_B },
      button
    );
    expect(menu?.isAttached).toBe(true);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(menu?.activeIndex).toBe(0);
    key(menu!.node, 'ArrowDown');
    key(menu!.node, 'ArrowDown');
    key(menu!.node, 'Enter');
    expect(executed).toEqual([[CommandIDs.daskConfig, { prefix: ENV_B }]]);
    expect(menu?.isAttached).toBe(false);
    expect(button.getAttribute('aria-expanded')).toBe('false');
    button.remove();
  });

  it('closes on Escape without running anything', () => {
    const executed: [string, unknown][] = [];
    const button = anchor();
    const menu = openEnvMenu(
      registry(executed),
      ENV_MENU_COMMANDS,
      { prefix: ENV_B },
      button
    );
    key(menu!.node, 'Escape');
    expect(menu?.isAttached).toBe(false);
    expect(executed).toEqual([]);
    button.remove();
  });

  it('opens nothing when no env command exists', () => {
    const button = anchor();
    expect(
      openEnvMenu(
        new CommandRegistry(),
        ENV_MENU_COMMANDS,
        { prefix: ENV_B },
        button
      )
    ).toBeNull();
    expect(document.querySelector('.jp-MLC-envMenu')).toBeNull();
    button.remove();
  });
});
