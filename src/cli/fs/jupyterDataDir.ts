/**
 * The user's Jupyter data directory, by the one rule of kernels/searchPath.ts
 * (jupyter_core's `jupyter_data_dir()` on Linux), with the home directory
 * found as Python finds it: HOME, else the password database, then resolved.
 */
import * as fs from 'fs';
import * as os from 'os';
import { jupyterDataDir } from '../kernels/searchPath';

/** The data directory for `env`; null when there is no home to put it in. */
export function resolveJupyterDataDir(env: NodeJS.ProcessEnv): string | null {
  const home = env.HOME || Private.passwdHome();
  if (!home && !env.JUPYTER_DATA_DIR && !env.XDG_DATA_HOME) {
    return null;
  }
  return jupyterDataDir({
    env,
    home: home ?? '',
    realHome: Private.realpathOrSelf(home ?? ''),
    jupyter: null,
    ownsJupyterPrefix: false
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
