/**
 * The env commands' runner against a real Jupyter server's terminals, in
 * each shell users have (sh as a login shell, bash, zsh, tcsh): the real
 * TerminalManager of @jupyterlab/services over a websocket, the real
 * bundled `mlc`, one typed line, events read back from a real pty.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PageConfig } from '@jupyterlab/coreutils';
import { ServerConnection, TerminalManager } from '@jupyterlab/services';
import WebSocket from 'ws';
import {
  getJson,
  isolatedJupyterEnv,
  startJupyterServer,
  stopJupyterServer,
  type IJupyterServer
} from '../harness/jupyter';
import { makeScratch, REPO, VENV } from '../harness/paths';
import {
  MlcRunError,
  outcomeProblem,
  TerminalMlcRunner,
  type MlcRunFailure
} from '../../src/lab/envActions/terminalTransport';

/** The launcher script next to the bundle: what `mlc` is once installed. */
const MLC_LAUNCHER = path.join(REPO, 'jupyterlab_ml_containers', 'mlc', 'mlc');

interface IShellServer {
  server: IJupyterServer;
  manager: TerminalManager;
}

async function startServer(
  dir: string,
  shell: string | null
): Promise<IShellServer> {
  const env = isolatedJupyterEnv(dir, {
    jupyterPath: [],
    path: [path.join(VENV, 'bin'), '/usr/local/bin', '/usr/bin', '/bin'],
    // Without SHELL, jupyter_server runs `sh -l`; with it, `$SHELL -l`.
    extra: shell ? { SHELL: shell } : {}
  });
  const server = await startJupyterServer({ env });
  const serverSettings = ServerConnection.makeSettings({
    baseUrl: server.baseUrl,
    wsUrl: server.baseUrl.replace(/^http/, 'ws'),
    token: server.token,
    appendToken: true,
    // The `ws` client stands in for the browser's WebSocket.
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket
  });
  return { server, manager: new TerminalManager({ serverSettings }) };
}

function runnerFor(
  shellServer: IShellServer,
  mlcCommand: string
): TerminalMlcRunner {
  return new TerminalMlcRunner({
    terminals: shellServer.manager,
    mlcCommand: () => mlcCommand,
    cwd: shellServer.server.env.HOME,
    timeoutMs: 60000
  });
}

async function failureOf(promise: Promise<unknown>): Promise<MlcRunFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MlcRunError);
    return (error as MlcRunError).failure;
  }
  throw new Error('the run did not fail');
}

async function runningTerminals(server: IJupyterServer): Promise<unknown[]> {
  return (await getJson(server, 'api/terminals')) as unknown[];
}

// TerminalManager asks the page config whether the server has terminals.
PageConfig.setOption('terminalsAvailable', 'true');

// jest's per-project testTimeout is not applied (jest 29): each test says its own.
const TEST_MS = 90000;

const scratch = makeScratch('envs-terminal');
const shells: Record<string, IShellServer> = {};

beforeAll(async () => {
  // One server per shell, started one after the other (2 cores, other suites running).
  for (const [name, shell] of [
    ['sh', null],
    ['bash', '/bin/bash'],
    ['zsh', '/usr/bin/zsh'],
    ['tcsh', '/usr/bin/tcsh']
  ] as const) {
    fs.mkdirSync(path.join(scratch.dir, name));
    shells[name] = await startServer(path.join(scratch.dir, name), shell);
  }
}, 6 * 60000);

afterAll(async () => {
  for (const { server, manager } of Object.values(shells)) {
    manager.dispose();
    await stopJupyterServer(server);
  }
  scratch.cleanup();
}, 2 * 60000);

describe.each(['sh', 'bash', 'zsh', 'tcsh'])(
  'the runner in a real %s terminal',
  shell => {
    it(
      'runs mlc, reads its end event, and shuts the session down',
      async () => {
        const target = shells[shell];
        const runner = runnerFor(target, MLC_LAUNCHER);
        const outcome = await runner.run(['--version']);
        // Over the wire, --version answers with a result event (issue 7, class 10).
        expect(outcome).toEqual({
          results: [
            {
              command: 'version',
              data: { version: expect.any(String), text: expect.any(String) }
            }
          ],
          errors: [],
          exitCode: 0
        });
        // The shutdown is not awaited by run() (the caller's next request goes first).
        await runner.whenClosed();
        expect(await runningTerminals(target.server)).toEqual([]);
      },
      TEST_MS
    );

    it(
      'runs on a session prepared ahead, and closes an unused one',
      async () => {
        const target = shells[shell];
        const runner = runnerFor(target, MLC_LAUNCHER);
        runner.prepare();
        expect((await runner.run(['--version'])).exitCode).toBe(0);
        runner.prepare();
        runner.release();
        await runner.whenClosed();
        expect(await runningTerminals(target.server)).toEqual([]);
      },
      TEST_MS
    );

    it(
      'delivers hostile arguments to mlc intact and runs none of them',
      async () => {
        const target = shells[shell];
        const witness = path.join(scratch.dir, `${shell}-pwned`);
        const hostile = `x'"; touch ${witness}; $(touch ${witness}) \`touch ${witness}\` ! ~ * é`;
        const outcome = await runnerFor(target, MLC_LAUNCHER).run([hostile]);
        expect(outcome.exitCode).toBe(2);
        // commander names the unknown command verbatim: it arrived as one argument.
        expect(outcomeProblem(outcome)).toContain(hostile);
        expect(fs.existsSync(witness)).toBe(false);
      },
      TEST_MS
    );
  }
);

describe('what the user is told', () => {
  it('names the missing command and the shell line when mlc is not on PATH (sh -l resets PATH)', async () => {
    const target = shells.sh;
    const runner = runnerFor(target, 'mlc-not-installed');
    const failure = await failureOf(runner.run(['--version']));
    expect(failure).toMatchObject({
      kind: 'not-found',
      command: 'mlc-not-installed'
    });
    if (failure.kind === 'not-found') {
      expect(failure.shellLine).toMatch(/mlc-not-installed: not found/);
    }
    await runner.whenClosed();
    expect(await runningTerminals(target.server)).toEqual([]);
  });

  it.each(['bash', 'zsh', 'tcsh'])(
    'recognises "not found" from %s',
    async shell => {
      const failure = await failureOf(
        runnerFor(shells[shell], '/nonexistent/bin/mlc').run(['--version'])
      );
      expect(failure.kind).toBe('not-found');
    },
    TEST_MS
  );
});
