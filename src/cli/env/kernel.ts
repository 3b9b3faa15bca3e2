/**
 * The env's kernel in the user's Jupyter data directory: register, read,
 * unregister. Only kernels whose metadata names the env are touched.
 */
import * as fs from 'fs';
import type { ImageMetadata } from '../../core/imageMetadata';
import { envKernelSpec, readImageFacts, type IKernelImageFacts, type IKernelSpecFile, type PythonMinor } from '../../core/kernelspec';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { imageLabel } from './base';
import { removeTree } from './removeTree';

/** `JUPYTER_DATA_DIR`, else `$XDG_DATA_HOME/jupyter`, else `~/.local/share/jupyter` (as jupyter_core on Linux). */
export function jupyterDataDir(context: ICliContext): string {
  const env = context.env;
  if (env.JUPYTER_DATA_DIR) {
    return env.JUPYTER_DATA_DIR;
  }
  if (env.XDG_DATA_HOME) {
    return `${env.XDG_DATA_HOME}/jupyter`;
  }
  if (!env.HOME) {
    throw new UserError('HOME is not set, so there is no Jupyter data directory for the kernel', 'set HOME or JUPYTER_DATA_DIR, or pass --no-kernel');
  }
  return `${env.HOME}/.local/share/jupyter`;
}

export function kernelDir(dataDir: string, name: string): string {
  return `${dataDir}/kernels/${name}`;
}

/** The launcher tile's default title: the env's name and what it extends. */
export function defaultDisplayName(envName: string, image: ImageMetadata | null, python: PythonMinor): string {
  return `${envName} (${imageLabel(image) || `Python ${python}`})`;
}

export interface IEnvKernelInput {
  envPrefix: string;
  envName: string;
  displayName: string;
  basePrefix: string;
  python: PythonMinor;
  image: ImageMetadata | null;
}

/** The env's kernel.json (src/core/kernelspec.ts), made exact for any path. */
export function envKernelFile(input: IEnvKernelInput): IKernelSpecFile {
  const spec = envKernelSpec({
    prefix: input.basePrefix,
    python: input.python,
    ...(input.image ? { image: input.image } : {}),
    envPrefix: input.envPrefix,
    displayName: input.displayName,
    envName: input.envName
  });
  // jupyter_client runs `env` values through string.Template: a `$` of the
  // path itself must be `$$` to survive.
  spec.env.PATH = `${input.envPrefix.replace(/\$/g, '$$$$')}/bin:\${PATH}`;
  return spec;
}

/** What a kernel directory holds, as far as mlc cares. */
export interface IRegisteredKernel {
  name: string;
  argv: string[];
  displayName: string;
  facts: IKernelImageFacts | null;
}

export function readKernel(dataDir: string, name: string): IRegisteredKernel | null {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(`${kernelDir(dataDir, name)}/kernel.json`, 'utf-8'));
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== 'object') {
    return null;
  }
  const spec = raw as { argv?: unknown; display_name?: unknown; metadata?: unknown };
  return {
    name,
    argv: Array.isArray(spec.argv) ? spec.argv.map(String) : [],
    displayName: typeof spec.display_name === 'string' ? spec.display_name : '',
    facts: readImageFacts(spec.metadata)
  };
}

/** The registered kernels of extended envs in `dataDir`. */
export function listEnvKernels(dataDir: string): IRegisteredKernel[] {
  let names: string[];
  try {
    names = fs.readdirSync(`${dataDir}/kernels`);
  } catch {
    return [];
  }
  return names
    .map(name => readKernel(dataDir, name))
    .filter((kernel): kernel is IRegisteredKernel => kernel?.facts?.role === 'extended-env' && !!kernel.facts.envPrefix);
}

/**
 * Refuse early when kernel `name` belongs to something other than an env at
 * `envPrefix` (it would be overwritten); a kernel of this same prefix is a
 * leftover of an env deleted by hand, and is replaced.
 */
export function assertKernelSlotFree(dataDir: string, name: string, envPrefix: string): void {
  if (!fs.existsSync(kernelDir(dataDir, name))) {
    return;
  }
  const existing = readKernel(dataDir, name);
  if (existing?.facts?.envPrefix !== envPrefix) {
    throw new UserError(
      `a different kernel is already registered as ${name} in ${dataDir}/kernels`,
      'remove it (jupyter kernelspec remove) or pass --no-kernel'
    );
  }
}

/**
 * Write the kernel: into a temporary sibling, then renamed into place, so
 * Jupyter never lists half a kernel. The base's logos come along when present.
 */
export function registerKernel(dataDir: string, name: string, spec: IKernelSpecFile, logosFrom: string | null): string {
  const kernels = `${dataDir}/kernels`;
  fs.mkdirSync(kernels, { recursive: true });
  const target = kernelDir(dataDir, name);
  const temp = `${kernels}/.${name}.mlc-tmp-${process.pid}`;
  fs.rmSync(temp, { recursive: true, force: true });
  fs.mkdirSync(temp);
  try {
    fs.writeFileSync(`${temp}/kernel.json`, JSON.stringify(spec, null, 1) + '\n');
    if (logosFrom) {
      for (const logo of ['logo-32x32.png', 'logo-64x64.png', 'logo-svg.svg']) {
        try {
          fs.copyFileSync(`${logosFrom}/${logo}`, `${temp}/${logo}`);
        } catch {
          // No such logo: the tile shows the default.
        }
      }
    }
    if (fs.existsSync(target)) {
      removeTree(target);
    }
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  return target;
}

/** Remove kernel `name` if it is the kernel of the env at one of `envPrefixes`; true when removed. */
export function unregisterKernel(dataDir: string, name: string, envPrefixes: string[]): boolean {
  const kernel = readKernel(dataDir, name);
  if (!kernel?.facts?.envPrefix || !envPrefixes.includes(kernel.facts.envPrefix)) {
    return false;
  }
  removeTree(kernelDir(dataDir, name));
  return true;
}
