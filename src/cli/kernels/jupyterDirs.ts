/**
 * The user's Jupyter data directory: jupyter_core's `jupyter_data_dir()` on
 * Linux, the one rule of mlc (the kernel search path, env kernels and
 * `mlc env list` all use it), with the home directory found as Python finds
 * it: HOME, else the password database, then resolved.
 */
import * as fs from 'fs';
import * as os from 'os';

/** `~` as Python expands it (HOME, not resolved) and as jupyter_core resolves it. */
export interface IHome {
  home: string;
  realHome: string;
}

/** jupyter_core's `envset`: set to anything but a "no" word. */
export function envSet(
  env: Readonly<Record<string, string | undefined>>,
  name: string
): boolean | undefined {
  const value = env[name];
  if (value === undefined) {
    return undefined;
  }
  return !['no', 'n', 'false', 'off', '0', '0.0'].includes(value.toLowerCase());
}

/** jupyter_core's `jupyter_data_dir()` on Linux, for `env` and `home` (pure). */
export function jupyterDataDir(
  env: Readonly<Record<string, string | undefined>>,
  home: IHome
): string {
  if (env.JUPYTER_DATA_DIR) {
    return env.JUPYTER_DATA_DIR;
  }
  if (envSet(env, 'JUPYTER_PLATFORM_DIRS')) {
    // platformdirs: $XDG_DATA_HOME (stripped) or ~/.local/share, home not resolved.
    const xdg = (env.XDG_DATA_HOME ?? '').trim();
    return `${xdg || `${home.home}/.local/share`}/jupyter`;
  }
  return `${env.XDG_DATA_HOME || `${home.realHome}/.local/share`}/jupyter`;
}

/** The data directory of the user running mlc; null when there is no home to put it in. */
export function userJupyterDataDir(env: NodeJS.ProcessEnv): string | null {
  const home = env.HOME || Private.passwdHome();
  if (!home && !env.JUPYTER_DATA_DIR && !env.XDG_DATA_HOME) {
    return null;
  }
  return jupyterDataDir(env, {
    home: home ?? '',
    realHome: Private.realpathOrSelf(home ?? '')
  });
}

namespace Private {
  export function passwdHome(): string | null {
    try {
      return os.userInfo().homedir || null;
    } catch {
      return null;
    }
  }

  /** os.path.realpath: resolved where it exists, else as given. */
  export function realpathOrSelf(file: string): string {
    try {
      return file ? fs.realpathSync(file) : file;
    } catch {
      return file;
    }
  }
}
