/**
 * A real OCI registry on 127.0.0.1 (Debian's docker-registry, distribution
 * 2.8) with its own port, storage and config, stopped by its PID. Images
 * are put in with podman (`push --tls-verify=false`).
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { stopChild } from './processes';

export interface ILocalRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  port: number;
  /** A registries.conf that marks it insecure (plain HTTP) for podman. */
  registriesConf: string;
  stop: () => Promise<void>;
}

export const PODMAN_GLOBAL = ['--runtime', 'runc'];
export const PODMAN_LIMITS = [
  '--ulimit',
  'nofile=1024:1024',
  '--ulimit',
  'nproc=1024:1024'
];

/** A port the kernel just gave us (closed again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export function registryAvailable(): boolean {
  return (
    spawnSync('sh', ['-c', 'command -v docker-registry'], { encoding: 'utf-8' })
      .status === 0
  );
}

export async function startRegistry(dir: string): Promise<ILocalRegistry> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  fs.mkdirSync(path.join(dir, 'storage'), { recursive: true });
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  delete:',
      '    enabled: true',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'storage')}`,
      'http:',
      `  addr: ${host}`,
      ''
    ].join('\n')
  );
  const registriesConf = path.join(dir, 'registries.conf');
  fs.writeFileSync(
    registriesConf,
    `[[registry]]\nlocation = "${host}"\ninsecure = true\n`
  );
  const log = fs.openSync(path.join(dir, 'registry.log'), 'a');
  const child: ChildProcess = spawn('docker-registry', ['serve', config], {
    stdio: ['ignore', log, log],
    detached: false
  });
  fs.closeSync(log);
  const stop = async (): Promise<void> => {
    await stopChild(child, 5000);
  };
  // Bounded wait for /v2/ to answer.
  for (let i = 0; i < 100; i++) {
    if (await Private.answers(port)) {
      return { host, port, registriesConf, stop };
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(
    `docker-registry did not start on ${host}: ${fs.readFileSync(path.join(dir, 'registry.log'), 'utf-8').slice(-500)}`
  );
}

/** podman, with this machine's runtime flags; throws with its stderr on failure. */
export function podman(args: string[], timeoutMs = 600000): string {
  const result = spawnSync('podman', [...PODMAN_GLOBAL, ...args], {
    encoding: 'utf-8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024
  });
  if (result.status !== 0) {
    throw new Error(
      `podman ${args.join(' ')} failed: ${result.stderr || result.error}`
    );
  }
  return result.stdout;
}

/** Build an image from a Containerfile text and a context dir. */
export function buildImage(
  tag: string,
  containerfile: string,
  contextDir: string,
  extra: string[] = []
): void {
  fs.writeFileSync(path.join(contextDir, 'Containerfile'), containerfile);
  podman([
    'build',
    '--quiet',
    ...PODMAN_LIMITS,
    '--network',
    'none',
    ...extra,
    '-t',
    tag,
    '-f',
    path.join(contextDir, 'Containerfile'),
    contextDir
  ]);
}

export function push(localTag: string, remote: string): void {
  podman(['push', '--quiet', '--tls-verify=false', localTag, remote]);
}

namespace Private {
  export function answers(port: number): Promise<boolean> {
    return new Promise(resolve => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  }
}
