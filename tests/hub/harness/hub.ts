/**
 * JupyterHub (PyPI) with configurable-http-proxy (npm, in build/hub),
 * the dummy authenticator and a spawner of the test's choice, on
 * 127.0.0.1 ports of its own, its state and PID files in build/hub/run/NAME.
 * A previous run's hub and proxy there are stopped first (by PID file).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runCommand } from '../../harness/mlc';
import { REPO, VENV } from '../../harness/paths';
import { stopChild } from '../../harness/processes';
import { HUB_BUILD } from './images';
import { freePort, waitFor } from './ports';

export interface IHub {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  dir: string;
  log: () => string;
  stop: () => Promise<void>;
}

/** The config file every hub here loads (its settings are MLC_HUB_* variables). */
export const HUB_CONFIG = path.join(
  REPO,
  'scripts',
  'hub',
  'jupyterhub_config.py'
);

export interface IHubOptions {
  /**
   * MLC_HUB_SPAWNER (slurm | local), MLC_HUB_IMAGE, MLC_HUB_HOST_PYTHON,
   * MLC_HUB_USER_HOME, MLC_HUB_XDG_CONFIG, SLURM_CONF: see HUB_CONFIG.
   */
  settings: Record<string, string>;
}

/** The proxy's command, installed from npm into build/hub on first use. */
export function proxyCommand(): string {
  const bin = path.join(
    HUB_BUILD,
    'node_modules',
    '.bin',
    'configurable-http-proxy'
  );
  if (!fs.existsSync(bin)) {
    const installed = runCommand(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        '--prefix',
        HUB_BUILD,
        'configurable-http-proxy@5'
      ],
      { timeoutMs: 300000, cwd: REPO }
    );
    if (installed.code !== 0) {
      throw new Error(
        `npm install configurable-http-proxy failed: ${installed.stderr.trim()}`
      );
    }
  }
  return bin;
}

export async function startHub(
  name: string,
  options: IHubOptions
): Promise<IHub> {
  const dir = path.join(HUB_BUILD, 'run', name);
  fs.mkdirSync(dir, { recursive: true });
  Private.stopLeftovers(dir);
  for (const file of [
    'jupyterhub.sqlite',
    'jupyterhub_cookie_secret',
    'hub.log'
  ]) {
    fs.rmSync(path.join(dir, file), { force: true });
  }
  const [port, apiPort, proxyApiPort] = [
    await freePort(),
    await freePort(),
    await freePort()
  ];
  const config: Record<string, string> = {
    MLC_HUB_STATE: dir,
    MLC_HUB_PORT: String(port),
    MLC_HUB_API_PORT: String(apiPort),
    MLC_HUB_PROXY_API_PORT: String(proxyApiPort),
    MLC_HUB_PROXY: proxyCommand(),
    ...options.settings
  };
  const logFile = path.join(dir, 'hub.log');
  const out = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    path.join(VENV, 'bin', 'jupyterhub'),
    ['-f', HUB_CONFIG],
    {
      cwd: dir,
      env: {
        PATH: `${path.join(VENV, 'bin')}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
        LANG: 'C.UTF-8',
        HOME: dir,
        ...config
      },
      stdio: ['ignore', out, out]
    }
  );
  fs.closeSync(out);
  const log = (): string =>
    fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf-8') : '';
  const hub: IHub = {
    url: `http://127.0.0.1:${port}/`,
    dir,
    log,
    stop: async () => {
      // SIGTERM: the hub then stops its servers and proxy.
      await stopChild(child, 60000);
      Private.stopLeftovers(dir);
    }
  };
  try {
    await waitFor(
      'JupyterHub to answer',
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`jupyterhub exited: ${log().slice(-2000)}`);
        }
        const answer = await fetch(new URL('hub/api/', hub.url), {
          signal: AbortSignal.timeout(5000)
        }).catch(() => null);
        return answer?.status === 200 ? true : null;
      },
      120000
    );
  } catch (error) {
    await hub.stop();
    throw error;
  }
  return hub;
}

namespace Private {
  /** Stop a hub and proxy a previous run left in `dir`, by their PID files, if they are still those programs. */
  export function stopLeftovers(dir: string): void {
    for (const [file, marker] of [
      ['jupyterhub.pid', 'jupyterhub'],
      ['proxy.pid', 'configurable-http-proxy']
    ]) {
      const pidFile = path.join(dir, file);
      if (!fs.existsSync(pidFile)) {
        continue;
      }
      const pid = Number(fs.readFileSync(pidFile, 'utf-8').trim());
      let cmdline = '';
      try {
        cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf-8');
      } catch {
        cmdline = '';
      }
      if (Number.isInteger(pid) && pid > 1 && cmdline.includes(marker)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
      fs.rmSync(pidFile, { force: true });
    }
  }
}
