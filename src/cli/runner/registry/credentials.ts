/**
 * The user's registry log-in, read (never written) from where podman and
 * docker keep it: REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
 * ~/.config/containers/auth.json, then $DOCKER_CONFIG/config.json or
 * ~/.docker/config.json. Only inline `auth` entries are used (credential
 * helpers are the engines' business).
 */
import * as os from 'os';
import * as path from 'path';
import { DOCKER_HUB } from '../../../core/runner/imageReference';
import { readRegularFile } from '../../fs/regularFile';

export interface ICredentials {
  username: string;
  password: string;
  /** The file they came from (for messages). */
  file: string;
}

export function findCredentials(
  registry: string,
  env: NodeJS.ProcessEnv
): ICredentials | null {
  const keys =
    registry === DOCKER_HUB
      ? [
          'docker.io',
          'index.docker.io',
          'registry-1.docker.io',
          'https://index.docker.io/v1/'
        ]
      : [registry, `https://${registry}`];
  for (const file of Private.candidateFiles(env)) {
    const auths = Private.readAuths(file);
    for (const key of keys) {
      const entry = auths?.[key];
      const decoded =
        typeof entry?.auth === 'string'
          ? Buffer.from(entry.auth, 'base64').toString('utf-8')
          : '';
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        return {
          username: decoded.slice(0, colon),
          password: decoded.slice(colon + 1),
          file
        };
      }
    }
  }
  return null;
}

namespace Private {
  export function candidateFiles(env: NodeJS.ProcessEnv): string[] {
    const home = env.HOME || os.homedir();
    const files: string[] = [];
    if (env.REGISTRY_AUTH_FILE) {
      files.push(env.REGISTRY_AUTH_FILE);
    }
    if (env.XDG_RUNTIME_DIR) {
      files.push(path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
    }
    files.push(
      path.join(
        env.XDG_CONFIG_HOME || path.join(home, '.config'),
        'containers',
        'auth.json'
      )
    );
    files.push(
      path.join(env.DOCKER_CONFIG || path.join(home, '.docker'), 'config.json')
    );
    return files;
  }

  export function readAuths(
    file: string
  ): Record<string, { auth?: unknown }> | null {
    const read = readRegularFile(file, { maxBytes: 1024 * 1024 });
    if (!read.ok) {
      return null;
    }
    try {
      const parsed = JSON.parse(read.text) as {
        auths?: unknown;
      };
      return typeof parsed.auths === 'object' && parsed.auths !== null
        ? (parsed.auths as Record<string, { auth?: unknown }>)
        : null;
    } catch {
      return null;
    }
  }
}
