/** The hub tests' unprivileged user, made by scripts/hub/ensure-hub-user.sh. */
import { execFileSync } from 'child_process';
import * as path from 'path';
import {
  runCommand,
  type IRunOptions,
  type IRunResult
} from '../../harness/mlc';
import { REPO } from '../../harness/paths';

export interface IHubUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

let cached: IHubUser | null = null;

/** Ensure the user exists, with subordinate ids for rootless podman. */
export function hubUser(): IHubUser {
  if (!cached) {
    const uid = Number(
      execFileSync(
        'bash',
        [path.join(REPO, 'scripts', 'hub', 'ensure-hub-user.sh')],
        { stdio: 'pipe' }
      )
        .toString()
        .trim()
    );
    const gid = Number(execFileSync('id', ['-g', 'mlc-hub']).toString().trim());
    cached = { name: 'mlc-hub', uid, gid, home: '/home/mlc-hub' };
  }
  return cached;
}

/**
 * A command as the hub user, in a clean environment (a login's basics plus
 * `env`: nothing of the test runner's leaks into a job or a container).
 */
export function asHubUser(
  file: string,
  args: string[],
  options: IRunOptions & { env?: Record<string, string> } = {}
): IRunResult {
  const user = hubUser();
  const env = {
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    ...(options.env ?? {})
  };
  const assignments = Object.entries(env).map(
    ([name, value]) => `${name}=${value}`
  );
  return runCommand(
    'runuser',
    ['-u', user.name, '--', 'env', '-i', ...assignments, file, ...args],
    {
      input: options.input,
      timeoutMs: options.timeoutMs,
      cwd: options.cwd ?? '/'
    }
  );
}

/**
 * The hub user's podman settings (written by ensure-hub-user.sh), for jobs
 * and sessions whose HOME is a test directory. Rootless podman ignores
 * CONTAINERS_STORAGE_CONF's graphroot here; XDG_CONFIG_HOME works (and
 * Jupyter does not read it).
 */
export function podmanEnv(): Record<string, string> {
  return { XDG_CONFIG_HOME: `${hubUser().home}/.config` };
}
