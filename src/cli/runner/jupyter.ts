/**
 * `mlc jupyter`: JupyterLab in what is set up here, on 127.0.0.1 and the
 * same port inside and out (containers share the host's network; the seed
 * published 8800 and listened on 8888), with a fresh token, the URL printed
 * before it starts.
 */
import { randomBytes } from 'crypto';
import * as net from 'net';
import { isSandboxEngine } from '../../core/runner/workState';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { ensureRunning, execArgs, sandboxArgs } from './container';
import { engineFor, runEngine } from './engine';
import { requireState, workDir } from './stateFile';

export async function jupyter(
  context: ICliContext,
  portText: string | undefined
): Promise<number> {
  const port = Private.port(portText ?? '8888');
  const state = requireState(workDir(context.cwd));
  const engine = engineFor(state.engine, context.env);
  await Private.assertFree(port);
  const token = randomBytes(24).toString('hex');
  const command = [
    'jupyter',
    'lab',
    '--no-browser',
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--ServerApp.port_retries=0',
    `--ServerApp.root_dir=${state.workdir}`,
    // Root inside (root podman, docker as root) needs Jupyter's consent.
    ...(process.getuid?.() === 0 ? ['--allow-root'] : [])
  ];
  const url = `http://127.0.0.1:${port}/lab?token=${token}`;
  context.reporter.result(
    'jupyter',
    { url, port, token },
    `JupyterLab: open ${url}`
  );
  if (isSandboxEngine(state.engine)) {
    const [verb, ...rest] = sandboxArgs(state, command);
    return runEngine(
      engine,
      [
        verb === 'run' ? 'exec' : verb,
        '--env',
        `JUPYTER_TOKEN=${token}`,
        ...rest
      ],
      { toStderr: context.reporter.machine }
    );
  }
  ensureRunning(engine, state);
  // The token goes in the environment, not on a command line others can read.
  return runEngine(
    engine,
    execArgs(state, command, false, [`JUPYTER_TOKEN=${token}`]),
    { toStderr: context.reporter.machine }
  );
}

namespace Private {
  export function port(text: string): number {
    const value = Number(text);
    if (!/^\d{1,5}$/.test(text) || value < 1024 || value > 65535) {
      throw new UserError(
        `--port ${text.slice(0, 20)}: expected a port number from 1024 to 65535`,
        'e.g. --port 8888'
      );
    }
    return value;
  }

  export function assertFree(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', () =>
        reject(
          new UserError(
            `port ${port} on 127.0.0.1 is in use`,
            'choose another with --port N',
            1
          )
        )
      );
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  }
}
