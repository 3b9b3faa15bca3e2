/**
 * A real Jupyter server and real kernels for the integration tests, in an
 * environment made only of what the test gives (no variable of the test
 * runner leaks in), and two ways to run code in a kernel: through the
 * server's REST API and kernel websocket, and through jupyter_client alone.
 */
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { VENV } from './paths';
import { reapProcessesMentioning, stopChild } from './processes';

// The websocket client lives in its own file; tests import it from here.
export { runInKernel } from './kernelClient';
export type { IKernelRun } from './kernelClient';

/** The variables that place everything Jupyter reads or writes. */
export interface IJupyterEnv {
  HOME: string;
  JUPYTER_CONFIG_DIR: string;
  JUPYTER_DATA_DIR: string;
  JUPYTER_RUNTIME_DIR: string;
  JUPYTER_PATH: string;
  /** `0` so that JUPYTER_PATH and the user's directories outrank the server's own prefix. */
  JUPYTER_PREFER_ENV_PATH: string;
  PATH: string;
  [name: string]: string;
}

/** What a test decides about the environment; the rest is placed under `dir`. */
export interface IJupyterEnvOptions {
  /** Directories for JUPYTER_PATH, most important first. */
  jupyterPath: string[];
  /** Directories for PATH, first wins. */
  path: string[];
  /** Any other variables (PYTHONHOME, ...). */
  extra?: Record<string, string>;
}

/**
 * An isolated Jupyter environment below `dir`: home/, config/, data/ and
 * runtime/ are created; nothing of the calling process's environment is used.
 */
export function isolatedJupyterEnv(
  dir: string,
  options: IJupyterEnvOptions
): IJupyterEnv {
  const place = (name: string): string => {
    const target = path.join(dir, name);
    fs.mkdirSync(target, { recursive: true });
    return target;
  };
  return {
    HOME: place('home'),
    JUPYTER_CONFIG_DIR: place('config'),
    JUPYTER_DATA_DIR: place('data'),
    JUPYTER_RUNTIME_DIR: place('runtime'),
    JUPYTER_PATH: options.jupyterPath.join(path.delimiter),
    JUPYTER_PREFER_ENV_PATH: '0',
    PATH: options.path.join(path.delimiter),
    LANG: 'C.UTF-8',
    ...(options.extra ?? {})
  };
}

/** A running server, as startJupyterServer returned it. */
export interface IJupyterServer {
  /** `http://127.0.0.1:PORT/` */
  baseUrl: string;
  token: string;
  env: IJupyterEnv;
  /** The server process (its pid is the Python running jupyter_server). */
  process: ChildProcess;
  /** What the server printed so far (for failure messages). */
  log: () => string;
}

export interface IStartServerOptions {
  env: IJupyterEnv;
  /** The server's working directory and root_dir; default: HOME. */
  rootDir?: string;
  /** The program: default `.venv/bin/jupyter-server` (its shebang names the venv's Python). */
  program?: string;
}

/** The project venv's server, started by its own Python through the shebang. */
export const VENV_JUPYTER_SERVER = path.join(VENV, 'bin', 'jupyter-server');

/** The project venv's `jupyter` (for `jupyter run`). */
export const VENV_JUPYTER = path.join(VENV, 'bin', 'jupyter');

/** Start a server on a free loopback port and wait until /api/status answers. */
export async function startJupyterServer(
  options: IStartServerOptions
): Promise<IJupyterServer> {
  // Another process may take the port between our probe and the server's bind.
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await Private.startOnce(options, await Private.freePort());
    } catch (error) {
      lastError = error;
      if (!(error instanceof Private.PortTakenError)) {
        throw error;
      }
    }
  }
  throw lastError;
}

/**
 * Stop the server: SIGTERM (jupyter_server then shuts its kernels down),
 * SIGKILL if it lingers, then kill any kernel still running from its
 * runtime directory (a kernel runs in a session of its own: one that hangs
 * may outlive a killed server).
 */
export async function stopJupyterServer(server: IJupyterServer): Promise<void> {
  await stopChild(server.process, 15000);
  reapProcessesMentioning(
    Private.kernelFilesIn(server.env.JUPYTER_RUNTIME_DIR)
  );
}

/** A GET on the server's REST API, as JSON. */
export async function getJson(
  server: IJupyterServer,
  apiPath: string
): Promise<unknown> {
  const response = await fetch(new URL(apiPath, server.baseUrl), {
    headers: { Authorization: `token ${server.token}` }
  });
  if (!response.ok) {
    throw new Error(`GET ${apiPath}: HTTP ${response.status}`);
  }
  return response.json();
}

/** The result of a process run to its end. */
export interface IProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `code` in kernel `kernelName` through jupyter_client alone, no server:
 * `jupyter run --kernel NAME FILE` (jupyter_client's runapp), in `env`. The
 * kernel's stdout and stderr come out on the command's; an exception in the
 * code makes the exit code non-zero.
 */
export async function runWithJupyterClient(
  env: IJupyterEnv,
  kernelName: string,
  code: string,
  jupyter: string = VENV_JUPYTER
): Promise<IProcessRun> {
  // A runtime directory of its own: its connection file names it, so only its kernel is reaped.
  const runtime = fs.mkdtempSync(path.join(env.JUPYTER_RUNTIME_DIR, 'run-'));
  const file = path.join(runtime, 'code.py');
  fs.writeFileSync(file, code);
  try {
    return await Private.runToEnd(
      jupyter,
      ['run', '--kernel', kernelName, file],
      { ...env, JUPYTER_RUNTIME_DIR: runtime },
      120000
    );
  } finally {
    // jupyter run shuts its kernel down at exit; this catches one it could not.
    reapProcessesMentioning(Private.kernelFilesIn(runtime));
    fs.rmSync(runtime, { recursive: true, force: true });
  }
}

namespace Private {
  export class PortTakenError extends Error {}

  /** What the connection file of every kernel started with `runtimeDir` begins with. */
  export function kernelFilesIn(runtimeDir: string): string {
    return path.join(runtimeDir, 'kernel-');
  }

  /** How long a server may take to answer /api/status (two cores, other suites running). */
  const START_LIMIT_MS = 90000;

  /** A port the kernel gave us and we released: free unless someone takes it first. */
  export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const probe = net.createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address() as net.AddressInfo;
        probe.close(() => resolve(address.port));
      });
    });
  }

  export async function startOnce(
    options: IStartServerOptions,
    port: number
  ): Promise<IJupyterServer> {
    const token = randomBytes(16).toString('hex');
    const rootDir = options.rootDir ?? options.env.HOME;
    const args = [
      '--no-browser',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${rootDir}`,
      '--ServerApp.open_browser=False',
      // The suites run as root here (the image prefix must be root-owned); a hub would not.
      ...(process.getuid?.() === 0 ? ['--ServerApp.allow_root=True'] : [])
    ];
    const child = spawn(options.program ?? VENV_JUPYTER_SERVER, args, {
      env: options.env,
      cwd: rootDir,
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const server: IJupyterServer = {
      baseUrl: `http://127.0.0.1:${port}/`,
      token,
      env: options.env,
      process: child,
      log: () => output
    };
    try {
      await waitForStatus(server, () => output);
    } catch (error) {
      await stopChild(child, 5000);
      reapProcessesMentioning(kernelFilesIn(options.env.JUPYTER_RUNTIME_DIR));
      throw error;
    }
    return server;
  }

  /** Poll /api/status until it answers 200; fail at once if the server exits. */
  async function waitForStatus(
    server: IJupyterServer,
    output: () => string
  ): Promise<void> {
    const deadline = Date.now() + START_LIMIT_MS;
    while (Date.now() < deadline) {
      if (
        server.process.exitCode !== null ||
        server.process.signalCode !== null
      ) {
        const log = output();
        const status = server.process.exitCode ?? server.process.signalCode;
        const message = `jupyter server exited (${status}):\n${tail(log)}`;
        const portTaken =
          /port \d+ is not available|address already in use/i.test(log);
        throw portTaken ? new PortTakenError(message) : new Error(message);
      }
      try {
        const response = await fetch(new URL('api/status', server.baseUrl), {
          headers: { Authorization: `token ${server.token}` }
        });
        if (response.ok) {
          return;
        }
      } catch {
        // Not listening yet.
      }
      await delay(200);
    }
    throw new Error(
      `jupyter server did not answer /api/status in ${START_LIMIT_MS / 1000}s:\n${tail(output())}`
    );
  }

  /** Run a program to its end, killing it after `limitMs`. */
  export function runToEnd(
    file: string,
    args: string[],
    env: IJupyterEnv,
    limitMs: number
  ): Promise<IProcessRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        env,
        cwd: env.HOME,
        stdio: ['ignore', 'pipe', 'pipe']
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
      child.once('error', error => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('close', code => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** The last lines of a log, for failure messages. */
  function tail(text: string): string {
    return text.split('\n').slice(-30).join('\n');
  }

  function delay(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
  }
}
