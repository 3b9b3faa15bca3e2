/**
 * The env commands as data (src/lab/envActions/commandTable.ts): every ID
 * of the palette and of a tile's menu is in the table once, the tile's
 * commands have their short label, each runs its own action over the env
 * it is given, and Rebase… is in a tile's menu only where the image changed.
 */
import { CommandIDs, ENV_MENU_COMMANDS } from '../../src/lab/commandIds';
import {
  envCommandTable,
  type IEnvCommandTableOptions
} from '../../src/lab/envActions/commandTable';
import type { IMLImage } from '../../src/lab/tokens';
import { englishBundle } from './launcherDomHelpers';

const ENV = { name: 'a', prefix: '/home/u/envs/a', kernelName: 'mlc-a' };

/** Records which action ran with which env. */
function recorder(calls: string[]): Record<string, unknown> {
  return new Proxy(
    {},
    {
      get: (_target, name) => (env?: { prefix: string } | null) => {
        calls.push(`${String(name)}:${env?.prefix ?? '-'}`);
        return Promise.resolve();
      }
    }
  );
}

function table(
  calls: string[],
  image: IMLImage | null = null
): ReturnType<typeof envCommandTable> {
  return envCommandTable({
    envs: recorder(calls),
    life: recorder(calls),
    image,
    trans: englishBundle
  } as unknown as IEnvCommandTableOptions);
}

describe('the env command table', () => {
  it('lists every env command once, in palette order, with the tile menu’s short labels', () => {
    const commands = table([]);
    expect(commands.map(command => command.id)).toEqual([
      CommandIDs.createEnv,
      CommandIDs.checkEnvs,
      CommandIDs.addPackages,
      CommandIDs.removePackages,
      CommandIDs.envHistory,
      CommandIDs.exportEnv,
      CommandIDs.rebaseEnv,
      CommandIDs.daskConfig,
      CommandIDs.removeEnv
    ]);
    for (const id of ENV_MENU_COMMANDS) {
      const command = commands.find(candidate => candidate.id === id);
      expect(command?.tileLabel).toMatch(/…$/);
      expect(command?.tileLabel).not.toBe(command?.label);
    }
  });

  it('runs each command’s own action with the env it is given', async () => {
    const calls: string[] = [];
    for (const command of table(calls)) {
      await command.run(ENV);
    }
    expect(calls).toEqual([
      'create:-',
      'check:-',
      `addPackages:${ENV.prefix}`,
      `removePackages:${ENV.prefix}`,
      `history:${ENV.prefix}`,
      `exportEnv:${ENV.prefix}`,
      `rebase:${ENV.prefix}`,
      `daskConfig:${ENV.prefix}`,
      `remove:${ENV.prefix}`
    ]);
  });

  it('puts Rebase… in a tile’s menu only for an env whose image changed', () => {
    const problem = {
      code: 'base-updated',
      message: 'm',
      fixable: false,
      hint: ''
    };
    const image = {
      envReports: new Map([[ENV.prefix, { ...ENV, problems: [problem] }]])
    } as unknown as IMLImage;
    const rebase = table([], image).find(
      command => command.id === CommandIDs.rebaseEnv
    );
    expect(rebase?.inTileMenu?.(ENV.prefix)).toBe(true);
    expect(rebase?.inTileMenu?.('/home/u/envs/other')).toBe(false);
    expect(
      table([])
        .filter(command => command.inTileMenu)
        .map(command => command.id)
    ).toEqual([CommandIDs.rebaseEnv]);
  });
});
