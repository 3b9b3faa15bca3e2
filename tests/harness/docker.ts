/**
 * A real Docker Engine (Debian's docker.io) for one test file: its own data
 * root, exec root, socket and PID file, no bridge and no iptables rules (the
 * containers use the host network, and other engines on this machine are
 * left alone), stopped by its PID. Images come from the local registry
 * (127.0.0.0/8 is an insecure registry for Docker by default).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { stopChild } from './processes';

export interface IDockerDaemon {
  /** `unix:///…/docker.sock`, for DOCKER_HOST. */
  host: string;
  stop: () => Promise<void>;
}

/** Why dockerd cannot run here, or null when it can be tried. */
export function dockerUnavailable(): string | null {
  if (
    spawnSync('sh', ['-c', 'command -v dockerd && command -v docker'], {
      encoding: 'utf-8'
    }).status !== 0
  ) {
    return 'dockerd or docker is not installed (apt-get install docker.io)';
  }
  if (process.getuid?.() !== 0) {
    return 'dockerd needs root here';
  }
  return null;
}

export async function startDocker(dir: string): Promise<IDockerDaemon> {
  fs.mkdirSync(dir, { recursive: true });
  // A short path: unix socket paths are limited to about 100 bytes.
  const sock = path.join(dir, 'd.sock');
  const pidFile = path.join(dir, 'd.pid');
  const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
  const child = spawn(
    'dockerd',
    [
      '--data-root',
      path.join(dir, 'data'),
      '--exec-root',
      path.join(dir, 'exec'),
      '-H',
      `unix://${sock}`,
      '--pidfile',
      pidFile,
      '--bridge',
      'none',
      '--iptables=false',
      '--ip-masq=false'
    ],
    { stdio: ['ignore', log, log] }
  );
  fs.closeSync(log);
  const host = `unix://${sock}`;
  const stop = async (): Promise<void> => {
    await stopChild(child, 20000);
    // dockerd leaves its network namespace bind-mounted under exec/: unmount
    // what is mounted below our own directory (deepest first), then remove it.
    const mounts = fs
      .readFileSync('/proc/mounts', 'utf-8')
      .split('\n')
      .map(line => line.split(' ')[1])
      .filter(point => point?.startsWith(dir + '/'))
      .sort((a, b) => b.length - a.length);
    for (const point of mounts) {
      spawnSync('umount', [point]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) {
      break;
    }
    if (
      spawnSync('docker', ['-H', host, 'info'], {
        stdio: 'ignore',
        timeout: 10000
      }).status === 0
    ) {
      return { host, stop };
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(
    `dockerd did not start: ${fs.readFileSync(path.join(dir, 'dockerd.log'), 'utf-8').slice(-400)}`
  );
}
