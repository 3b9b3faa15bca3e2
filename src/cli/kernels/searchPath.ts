/**
 * The directories a Jupyter server searches for kernel specs, in its order,
 * as jupyter_core's `jupyter_path('kernels')` and jupyter_client's
 * `KernelSpecManager.kernel_dirs` compute them:
 *
 * 1. each entry of JUPYTER_PATH (trailing `/` removed);
 * 2. the user's: JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter or
 *    ~/.local/share/jupyter (home resolved), plus the Python user base's
 *    share/jupyter when the server's Python enables the user site;
 * 3. the server env's `sys.prefix/share/jupyter`, before the user's when
 *    JUPYTER_PREFER_ENV_PATH says so (or, unset, in a venv or a non-base
 *    conda env that the user owns);
 * 4. /usr/local/share/jupyter, /usr/share/jupyter (unless already listed);
 * 5. IPython's own `~/.ipython/kernels`, when IPython is importable.
 *
 * Pure: the caller gathers the facts from the environment and the server's
 * Python (jupyterProbe.ts).
 */
import { envSet, jupyterDataDir } from './jupyterDirs';

/** Facts about the Python that runs the Jupyter server. */
export interface IJupyterFacts {
  /** Its `sys.prefix`. */
  prefix: string;
  /** Its `sys.base_prefix` (differs from prefix in a venv). */
  basePrefix: string;
  /** `sys.executable`, the interpreter that replaces argv[0] `python`/`python3`/`python3.X`. */
  executable: string | null;
  /** `X.Y` of that Python, null when unknown. */
  version: string | null;
  /** `site.ENABLE_USER_SITE`. */
  enableUserSite: boolean;
  /** `site.getuserbase()`. */
  userBase: string | null;
  /** Whether IPython is importable (adds ~/.ipython/kernels). */
  hasIPython: boolean;
  /** ipykernel's bundled `resources` directory: the fallback `python3` spec. */
  ipykernelResources: string | null;
  /** True when these came from running the Python, false when guessed from files. */
  probed: boolean;
}

export type SearchSource =
  'JUPYTER_PATH' | 'user' | 'env' | 'system' | 'ipython';

export interface ISearchDir {
  /** The `.../kernels` directory. */
  dir: string;
  source: SearchSource;
}

export interface ISearchInputs {
  env: Readonly<Record<string, string | undefined>>;
  /** `~` as Python expands it (HOME), not resolved. */
  home: string;
  /** `~` with symlinks resolved, as jupyter_core's and IPython's get_home_dir give it. */
  realHome: string;
  /** The server's Python, or null when no Jupyter was found. */
  jupyter: IJupyterFacts | null;
  /** Whether the current user owns the server's sys.prefix (jupyter_core's `_do_i_own`). */
  ownsJupyterPrefix: boolean;
}

/** Python's `os.path.join(p, 'kernels')`, which keeps an empty `p` relative. */
function kernelsIn(dir: string): string {
  return dir === '' ? 'kernels' : `${dir.replace(/\/$/, '')}/kernels`;
}

/** jupyter_core's `SYSTEM_JUPYTER_PATH` on Linux. */
export function systemJupyterPath(env: ISearchInputs['env']): string[] {
  if (envSet(env, 'JUPYTER_PLATFORM_DIRS')) {
    const dirs =
      (env.XDG_DATA_DIRS ?? '').trim() || '/usr/local/share:/usr/share';
    return dirs.split(':').map(dir => `${dir.replace(/\/$/, '')}/jupyter`);
  }
  return ['/usr/local/share/jupyter', '/usr/share/jupyter'];
}

/** jupyter_core's `prefer_environment_over_user()`. */
export function preferEnvOverUser(inputs: ISearchInputs): boolean {
  const { env, jupyter } = inputs;
  const explicit = envSet(env, 'JUPYTER_PREFER_ENV_PATH');
  if (explicit !== undefined) {
    return explicit;
  }
  if (!jupyter) {
    return false;
  }
  if (jupyter.prefix !== jupyter.basePrefix && inputs.ownsJupyterPrefix) {
    return true;
  }
  const condaPrefix = env.CONDA_PREFIX;
  return (
    condaPrefix !== undefined &&
    jupyter.prefix.startsWith(condaPrefix) &&
    (env.CONDA_DEFAULT_ENV ?? 'base') !== 'base' &&
    inputs.ownsJupyterPrefix
  );
}

/** The kernel directories in search order (the same directory may repeat, as in Jupyter). */
export function kernelSearchDirs(inputs: ISearchInputs): ISearchDir[] {
  const { env, jupyter } = inputs;
  const dirs: Array<{ dir: string; source: SearchSource }> = [];

  if (env.JUPYTER_PATH) {
    for (const entry of env.JUPYTER_PATH.split(':')) {
      dirs.push({ dir: entry.replace(/\/+$/, ''), source: 'JUPYTER_PATH' });
    }
  }

  const user = [jupyterDataDir(env, inputs)];
  if (jupyter?.enableUserSite && jupyter.userBase) {
    const userDir = `${jupyter.userBase}/share/jupyter`;
    if (!user.includes(userDir)) {
      user.push(userDir);
    }
  }

  const system = systemJupyterPath(env);
  const envDirs = jupyter
    ? [`${jupyter.prefix}/share/jupyter`].filter(dir => !system.includes(dir))
    : [];

  const userEntries = user.map(dir => ({ dir, source: 'user' as const }));
  const envEntries = envDirs.map(dir => ({ dir, source: 'env' as const }));
  if (preferEnvOverUser(inputs)) {
    dirs.push(...envEntries, ...userEntries);
  } else {
    dirs.push(...userEntries, ...envEntries);
  }

  for (const dir of system) {
    if (!dirs.some(known => known.dir === dir)) {
      dirs.push({ dir, source: 'system' });
    }
  }

  const result: ISearchDir[] = dirs.map(({ dir, source }) => ({
    dir: kernelsIn(dir),
    source
  }));
  if (!jupyter || jupyter.hasIPython) {
    result.push({ dir: kernelsIn(ipythonDir(inputs)), source: 'ipython' });
  }
  return result;
}

/** IPython's `get_ipython_dir()`: IPYTHONDIR (~ expanded, normalised) or ~/.ipython. */
export function ipythonDir(inputs: ISearchInputs): string {
  const configured = inputs.env.IPYTHONDIR;
  if (configured === undefined) {
    return `${inputs.realHome}/.ipython`;
  }
  const expanded =
    configured === '~' || configured.startsWith('~/')
      ? inputs.home + configured.slice(1)
      : configured;
  return Private.normpath(expanded);
}

namespace Private {
  /** Python's `os.path.normpath` for POSIX paths. */
  export function normpath(value: string): string {
    if (value === '') {
      return '.';
    }
    const absolute = value.startsWith('/');
    // POSIX keeps exactly two leading slashes; Python does too.
    const lead = absolute
      ? value.startsWith('//') && !value.startsWith('///')
        ? '//'
        : '/'
      : '';
    const parts: string[] = [];
    for (const part of value.split('/')) {
      if (part === '' || part === '.') {
        continue;
      }
      if (
        part === '..' &&
        (parts.length > 0 ? parts[parts.length - 1] !== '..' : absolute)
      ) {
        if (parts.length > 0) {
          parts.pop();
        }
        continue;
      }
      parts.push(part);
    }
    return lead + parts.join('/') || '.';
  }
}
