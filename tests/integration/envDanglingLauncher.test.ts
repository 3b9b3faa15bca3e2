/**
 * An env deleted by hand, end to end with a real Jupyter server: its kernel
 * stays registered (the server lists it), the extension's session check
 * (`mlc env list` through a real terminal, the real bundled mlc) hides it
 * from the catalog the launcher draws, `mlc env check --all --fix`
 * unregisters it, and the next kernel-spec refresh drops it for good. The
 * times from each refresh to the catalog without the tile are printed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PageConfig } from '@jupyterlab/coreutils';
import {
  KernelSpecManager,
  ServerConnection,
  TerminalManager
} from '@jupyterlab/services';
import WebSocket from 'ws';
import type { IEnvCreateResult } from '../../src/core/envRecord';
import { SessionEnvCheck } from '../../src/lab/envActions/sessionCheck';
import { TerminalMlcRunner } from '../../src/lab/envActions/terminalTransport';
import { MLImageService } from '../../src/lab/imageService/imageService';
import {
  getJson,
  isolatedJupyterEnv,
  startJupyterServer,
  stopJupyterServer,
  type IJupyterServer
} from '../harness/jupyter';
import { REPO, VENV } from '../harness/paths';
import {
  mlcAsUser,
  resultData,
  useEnvFixture,
  userDir,
  type IUserPlaces
} from '../harness/unprivilegedBase';

/** The launcher script next to the bundle: what `mlc` is once installed. */
const MLC_LAUNCHER = path.join(REPO, 'jupyterlab_ml_containers', 'mlc', 'mlc');
const TEST_MS = 120000;

const fixture = useEnvFixture('env-dangling-launcher');
let places: IUserPlaces;
let envs: string;
let server: IJupyterServer;
let serverSettings: ServerConnection.ISettings;
let terminals: TerminalManager;

// TerminalManager asks the page config whether the server has terminals.
PageConfig.setOption('terminalsAvailable', 'true');

beforeAll(async () => {
  ({ places } = fixture);
  envs = userDir(`${fixture.scratch}/envs`);
  const env = isolatedJupyterEnv(`${fixture.scratch}/server`, {
    jupyterPath: [],
    path: [path.join(VENV, 'bin'), '/usr/local/bin', '/usr/bin', '/bin'],
    extra: { SHELL: '/bin/bash' }
  });
  // The server (and mlc in its terminals) reads the test user's kernels.
  server = await startJupyterServer({
    env: { ...env, JUPYTER_DATA_DIR: places.data }
  });
  serverSettings = ServerConnection.makeSettings({
    baseUrl: server.baseUrl,
    wsUrl: server.baseUrl.replace(/^http/, 'ws'),
    token: server.token,
    appendToken: true,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket
  });
  terminals = new TerminalManager({ serverSettings });
}, 5 * 60000);

afterAll(async () => {
  terminals?.dispose();
  if (server) {
    await stopJupyterServer(server);
  }
}, 2 * 60000);

/** Resolves when `done()` holds after one of the service's changes. */
function whenCatalog(
  image: MLImageService,
  done: () => boolean
): Promise<void> {
  return new Promise(resolve => {
    if (done()) {
      resolve();
      return;
    }
    const check = (): void => {
      if (done()) {
        image.changed.disconnect(check);
        resolve();
      }
    };
    image.changed.connect(check);
  });
}

it(
  'hides the kernel of a deleted env after the session check, and drops it after --fix and a refresh',
  async () => {
    const run = mlcAsUser(
      ['env', 'create', `${envs}/handmade`, '--base', fixture.base, '--json'],
      places
    );
    const created = resultData<IEnvCreateResult>(run);
    const kernelName = created.kernelName as string;
    const kernelspecs = new KernelSpecManager({ serverSettings });
    const image = new MLImageService({ kernelspecs, serverSettings });
    await kernelspecs.ready;
    await whenCatalog(image, () =>
      image.catalog.envKernels.some(kernel => kernel.name === kernelName)
    );

    // Deleted by hand: the server still lists its kernel.
    fs.rmSync(`${envs}/handmade`, { recursive: true });
    await image.refresh();
    const served = (await getJson(server, 'api/kernelspecs')) as {
      kernelspecs: Record<string, unknown>;
    };
    expect(Object.keys(served.kernelspecs)).toContain(kernelName);
    expect(image.catalog.envKernels.map(kernel => kernel.name)).toContain(
      kernelName
    );

    const runner = new TerminalMlcRunner({
      terminals,
      mlcCommand: () => MLC_LAUNCHER,
      cwd: server.env.HOME,
      timeoutMs: 60000
    });
    const check = new SessionEnvCheck({ image, runner, dirs: () => [] });
    const listStart = performance.now();
    expect(await check.run()).toBe(true);
    const listMs = performance.now() - listStart;
    expect(image.catalog.envKernels.map(kernel => kernel.name)).not.toContain(
      kernelName
    );
    expect(image.catalog.danglingKernels.map(kernel => kernel.name)).toEqual([
      kernelName
    ]);
    // Once per session: a second call is the first one's answer, no new run.
    expect(check.run()).toBe(check.run());

    // Unregistered by the fix; the next refresh has no trace of it.
    const fix = await runner.run(['env', 'check', '--all', '--fix']);
    expect(fix.exitCode).toBe(0);
    expect(fs.existsSync(`${places.data}/kernels/${kernelName}`)).toBe(false);
    const refreshStart = performance.now();
    await image.refresh();
    await whenCatalog(
      image,
      () =>
        !image.catalog.envKernels.some(kernel => kernel.name === kernelName) &&
        !image.catalog.danglingKernels.some(
          kernel => kernel.name === kernelName
        )
    );
    const refreshMs = performance.now() - refreshStart;
    console.log(
      `dangling kernel: session list through a terminal ${listMs.toFixed(0)} ms; refresh after --fix to catalog without it ${refreshMs.toFixed(0)} ms`
    );
    await runner.whenClosed();
    image.dispose();
    kernelspecs.dispose();
  },
  TEST_MS
);
