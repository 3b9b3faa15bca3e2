/**
 * The env's kernel in the user's Jupyter data directory: register, read,
 * unregister. Only kernels whose metadata names the env are touched.
 */
import * as fs from 'fs';
import type { ImageMetadata } from '../../core/imageMetadata';
import {
  envKernelSpec,
  METADATA_NAMESPACE,
  readImageFacts,
  type IKernelImageFacts,
  type IKernelSpecFile,
  type PythonMinor
} from '../../core/kernelspec';
import { kernelNameProblem } from '../../core/problemText';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { imageLabel } from './base';
import { userJupyterDataDir } from '../kernels/jupyterDirs';
import { readRegularBytes, readRegularFile } from '../fs/regularFile';
import { removeEntry, removeFile } from '../fs/removeTree';
import { ensureRealDirectory } from '../fs/realDir';
import {
  stagingName,
  writeFilesStaged,
  type IFileToWrite
} from '../fs/stagedWrite';
import { makeDirectory, makePath, moveEntry } from '../fs/entries';
import { resolves } from '../fs/probes';

/**
 * The Jupyter data directory the env's kernel goes in, as jupyter_core finds
 * it (the one rule: ../kernels/jupyterDirs.ts); refused when there is none.
 */
export function kernelDataDir(context: ICliContext): string {
  const dir = userJupyterDataDir(context.env);
  if (!dir) {
    throw new UserError(
      'HOME is not set, so there is no Jupyter data directory for the kernel',
      'set HOME or JUPYTER_DATA_DIR, or pass --no-kernel'
    );
  }
  // jupyter_core takes JUPYTER_DATA_DIR (and XDG_DATA_HOME) as given, so a
  // relative one names a different place for every working directory a
  // Jupyter process starts in: no kernel written there would be found.
  if (!dir.startsWith('/')) {
    const source = context.env.JUPYTER_DATA_DIR
      ? 'JUPYTER_DATA_DIR'
      : 'XDG_DATA_HOME';
    throw new UserError(
      `${source} is a relative path (${JSON.stringify(context.env[source] ?? '')}); Jupyter would look for kernels in a different place from every working directory`,
      `set ${source} to an absolute path, or pass --no-kernel`
    );
  }
  return dir;
}

/**
 * The directory of kernel `name`. The name is checked at every use, since it
 * may come from a record the user edited (docs/architecture.md): `.`, `..` or
 * `../x` never become a path.
 */
export function kernelDir(dataDir: string, name: string): string {
  const problem = kernelNameProblem(name);
  if (problem) {
    throw new UserError(
      `invalid kernel name "${name.slice(0, 80)}": ${problem}`,
      'the env record was edited; fix its kernelName or run: mlc env create again'
    );
  }
  return `${dataDir}/kernels/${name}`;
}

/** The launcher tile's default title: the env's name and what it extends. */
export function defaultDisplayName(
  envName: string,
  image: ImageMetadata | null,
  python: PythonMinor
): string {
  return `${envName} (${imageLabel(image) || `Python ${python}`})`;
}

export interface IEnvKernelInput {
  envPrefix: string;
  envName: string;
  displayName: string;
  basePrefix: string;
  python: PythonMinor;
  image: ImageMetadata | null;
  /** The env's creation id (its record has the same), when it has one. */
  creationId?: string;
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
  // Dask reads the env's configuration (mlc env dask-config writes it there).
  spec.env.DASK_CONFIG = `${input.envPrefix.replace(/\$/g, '$$$$')}/etc/dask`;
  if (input.creationId) {
    // Beside the facts the launcher reads: which creation this kernel belongs to.
    spec.metadata[METADATA_NAMESPACE] = {
      ...spec.metadata[METADATA_NAMESPACE],
      envCreationId: input.creationId
    } as IKernelImageFacts;
  }
  return spec;
}

/** What a kernel directory holds, as far as mlc cares. */
export interface IRegisteredKernel {
  name: string;
  argv: string[];
  displayName: string;
  facts: IKernelImageFacts | null;
  /** The creation id of the env it was registered for, when recorded. */
  creationId: string | null;
}

/** Kernel `name` in `dataDir`, or null when absent, unreadable or not a kernel (an invalid name is null too). */
export function readKernel(
  dataDir: string,
  name: string
): IRegisteredKernel | null {
  if (kernelNameProblem(name)) {
    return null;
  }
  const read = readRegularFile(`${kernelDir(dataDir, name)}/kernel.json`, {
    maxBytes: 1 << 20
  });
  let raw: unknown;
  try {
    raw = read.ok ? JSON.parse(read.text) : null;
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== 'object') {
    return null;
  }
  const spec = raw as {
    argv?: unknown;
    display_name?: unknown;
    metadata?: unknown;
  };
  const block = (spec.metadata as Record<string, unknown> | null | undefined)?.[
    METADATA_NAMESPACE
  ] as { envCreationId?: unknown } | undefined;
  return {
    name,
    argv: Array.isArray(spec.argv) ? spec.argv.map(String) : [],
    displayName: typeof spec.display_name === 'string' ? spec.display_name : '',
    facts: readImageFacts(spec.metadata),
    creationId:
      typeof block?.envCreationId === 'string' ? block.envCreationId : null
  };
}

/** The registered kernels of extended envs in `dataDir`. */
export function listEnvKernels(
  dataDir: string,
  read: (name: string) => IRegisteredKernel | null = name =>
    readKernel(dataDir, name)
): IRegisteredKernel[] {
  let names: string[];
  try {
    names = fs.readdirSync(`${dataDir}/kernels`);
  } catch {
    return [];
  }
  return names
    .map(read)
    .filter(
      (kernel): kernel is IRegisteredKernel =>
        kernel?.facts?.role === 'extended-env' && !!kernel.facts.envPrefix
    );
}

/**
 * Refuse early when kernel `name` belongs to something other than an env at
 * `envPrefix` (it would be overwritten); a kernel of this same prefix is a
 * leftover of an env deleted by hand, and is replaced.
 */
export function assertKernelSlotFree(
  dataDir: string,
  name: string,
  envPrefix: string
): void {
  if (!resolves(kernelDir(dataDir, name))) {
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
 * Write the kernel so that it is never missing, not even for a moment: into
 * an existing kernel directory, each file is staged and renamed over the old
 * one (docs/architecture.md, "Writes"); a new one is staged as a hidden
 * sibling and renamed into place whole. A kernel directory that is a link
 * (to a project folder, say) is unlinked, never written through or emptied.
 * The base's logos come along when present.
 */
export function registerKernel(
  dataDir: string,
  name: string,
  spec: IKernelSpecFile,
  logosFrom: string | null
): string {
  const target = kernelDir(dataDir, name);
  const kernels = `${dataDir}/kernels`;
  makePath(dataDir);
  ensureRealDirectory(kernels);
  const files: IFileToWrite[] = [
    { name: 'kernel.json', text: JSON.stringify(spec, null, 1) + '\n' }
  ];
  if (logosFrom) {
    for (const logo of ['logo-32x32.png', 'logo-64x64.png', 'logo-svg.svg']) {
      const read = Private.readLogo(`${logosFrom}/${logo}`);
      if (read) {
        files.push({ name: logo, text: read });
      }
    }
  }
  const stat = fs.lstatSync(target, { throwIfNoEntry: false });
  if (stat?.isSymbolicLink() || (stat && !stat.isDirectory())) {
    removeFile(target);
  } else if (stat) {
    writeFilesStaged(target, files);
    return target;
  }
  // Staged one level down: a hidden name like `.x.mlc-tmp-1` is still a
  // valid kernel name that Jupyter would list; a spec inside a folder without
  // kernel.json is not.
  const staging = `${kernels}/${stagingName('mlc-staging')}`;
  makeDirectory(staging, 0o755);
  try {
    makeDirectory(`${staging}/${name}`, 0o755);
    writeFilesStaged(`${staging}/${name}`, files);
    moveEntry(`${staging}/${name}`, target);
  } finally {
    removeEntry(staging);
  }
  return target;
}

/**
 * Remove kernel `name` if it is the kernel of the env at one of
 * `envPrefixes` and, when `creationId` is given, of that very creation (a
 * new env made at the same path keeps its kernel); true when removed.
 */
export function unregisterKernel(
  dataDir: string,
  name: string,
  envPrefixes: string[],
  creationId?: string
): boolean {
  const kernel = readKernel(dataDir, name);
  if (
    !kernel?.facts?.envPrefix ||
    !envPrefixes.includes(kernel.facts.envPrefix)
  ) {
    return false;
  }
  if (creationId && kernel.creationId !== creationId) {
    return false;
  }
  removeEntry(kernelDir(dataDir, name));
  return true;
}

namespace Private {
  /** A logo file of the base (a regular file of at most 1 MB), or null. */
  export function readLogo(file: string): Buffer | null {
    const read = readRegularBytes(file, { maxBytes: 1 << 20 });
    return read.ok ? read.bytes : null;
  }
}
