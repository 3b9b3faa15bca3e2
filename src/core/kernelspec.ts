/**
 * The kernel-spec contract (see docs/architecture.md, "Contracts"): what `mlc kernels
 * install` and `mlc env create` write, and what the launcher recognises.
 *
 * Pure: builds plain objects; writing them is the caller's job.
 */
import { imageReference, type ImageMetadata } from './imageMetadata';

/** Key of our block inside a kernel spec's `metadata`. */
export const METADATA_NAMESPACE = 'ml_containers';

/** Kernel names the image writes (the seed's, so `python3` notebooks open on the image). */
export const IMAGE_KERNEL_NAMES = {
  isolated: 'python3',
  usersite: 'python3-usersite'
} as const;

/**
 * The image metadata's file (src/core/imageMetadata.ts): written by `mlc
 * image manifest` beside the package list, and beside each image kernel's
 * `kernel.json`.
 */
export const IMAGE_JSON_FILE = 'image.json';

/** What a kernel of ours is for. */
export type KernelRole = 'isolated' | 'usersite' | 'extended-env';

/** The flat facts kept in `metadata.ml_containers` (no package list: specs are polled). */
export interface IKernelImageFacts {
  role: KernelRole;
  /** `name:tag` of the image, empty when no image.json was given. */
  image: string;
  name: string;
  tag: string;
  os: string;
  python: string;
  flavour: 'cpu' | 'gpu' | '';
  buildDate: string;
  packageCount: number;
  /** The image env prefix the spec was written for. */
  prefix: string;
  /** For `extended-env` kernels: the env's own prefix. */
  envPrefix?: string;
  /** For `extended-env` kernels: the env's display name. */
  envName?: string;
}

/** The `kernel.json` shape Jupyter reads (the fields we write). */
export interface IKernelSpecFile {
  argv: string[];
  display_name: string;
  language: 'python';
  interrupt_mode: 'signal';
  env: Record<string, string>;
  metadata: {
    debugger: boolean;
    [METADATA_NAMESPACE]: IKernelImageFacts;
  };
}

/** A `major.minor` Python version, e.g. `3.11`. */
export type PythonMinor = `${number}.${number}`;

/** Check and normalise `X.Y` or `X.Y.Z` to `X.Y`; null when it is not a version. */
export function pythonMinor(version: string): PythonMinor | null {
  const match = /^(\d+)\.(\d+)(?:\.\d+)?(?:[a-z]+\d*)?$/.exec(version.trim());
  if (!match) {
    return null;
  }
  return `${Number(match[1])}.${Number(match[2])}` as PythonMinor;
}

/**
 * Interpreter flags after `-s`: CPython 3.11+ freezes stdlib modules, which
 * hides their source from the debugger unless frozen modules are turned off.
 */
export function debuggerFlags(minor: PythonMinor): string[] {
  const [major, min] = minor.split('.').map(Number);
  return major > 3 || (major === 3 && min >= 11)
    ? ['-Xfrozen_modules=off']
    : [];
}

/** Options shared by the image's specs and an extended env's spec. */
export interface IKernelSpecOptions {
  /** The image env prefix the spec is written for, e.g. `/opt/conda`. */
  prefix: string;
  /** `X.Y` of the image's Python. */
  python: PythonMinor;
  /** The image metadata, when known. */
  image?: ImageMetadata;
}

/**
 * The two image kernel specs, ML-Python3 and ML-Python3-usersite.
 *
 * argv goes through `/usr/bin/env python3.X` so jupyter_client never swaps in
 * the server's own interpreter, and `env` puts the image's `bin/` first so a
 * host Python prepended to PATH (as at BNL) cannot win.
 */
export function imageKernelSpecs(
  options: IKernelSpecOptions
): Record<
  (typeof IMAGE_KERNEL_NAMES)[keyof typeof IMAGE_KERNEL_NAMES],
  IKernelSpecFile
> {
  const { prefix, python } = options;
  const launcher = ['-m', 'ipykernel_launcher', '-f', '{connection_file}'];
  const interpreter = ['/usr/bin/env', `python${python}`];
  return {
    [IMAGE_KERNEL_NAMES.isolated]: {
      argv: [...interpreter, '-s', ...debuggerFlags(python), ...launcher],
      display_name: 'ML-Python3',
      language: 'python',
      interrupt_mode: 'signal',
      env: kernelEnv(prefix, true),
      metadata: {
        debugger: true,
        [METADATA_NAMESPACE]: imageFacts('isolated', options)
      }
    },
    [IMAGE_KERNEL_NAMES.usersite]: {
      argv: [...interpreter, ...debuggerFlags(python), ...launcher],
      display_name: 'ML-Python3-usersite',
      language: 'python',
      interrupt_mode: 'signal',
      env: kernelEnv(prefix, false),
      metadata: {
        debugger: true,
        [METADATA_NAMESPACE]: imageFacts('usersite', options)
      }
    }
  };
}

/** Options for an extended env's kernel spec. */
export interface IEnvKernelSpecOptions extends IKernelSpecOptions {
  /** The extended env's prefix (absolute). */
  envPrefix: string;
  /** Shown on the launcher tile. */
  displayName: string;
  /** The env's name (its directory's base name). */
  envName: string;
}

/**
 * The kernel spec of an extended env: the env's own interpreter by absolute
 * path (it is the user's, not the image's), with ML-Python3's hygiene.
 */
export function envKernelSpec(options: IEnvKernelSpecOptions): IKernelSpecFile {
  const { envPrefix, python } = options;
  return {
    argv: [
      `${envPrefix}/bin/python${python}`,
      '-s',
      ...debuggerFlags(python),
      '-m',
      'ipykernel_launcher',
      '-f',
      '{connection_file}'
    ],
    display_name: options.displayName,
    language: 'python',
    interrupt_mode: 'signal',
    env: kernelEnv(envPrefix, true),
    metadata: {
      debugger: true,
      [METADATA_NAMESPACE]: {
        ...imageFacts('extended-env', options),
        envPrefix,
        envName: options.envName
      }
    }
  };
}

/**
 * The `env` block. jupyter_client applies it before looking argv[0] up on
 * PATH and substitutes `${PATH}` from the server's environment.
 *
 * - PYTHONHOME: an empty value is ignored by Python; a leaked one breaks it.
 * - PYTHONNOUSERSITE: `1` hides `~/.local` from child processes too (`!python`);
 *   empty (ignored) for the usersite kernel, overriding a leaked `1`.
 * - PYTHONPATH: a host's entries would shadow the image's packages; the
 *   usersite kernel keeps the user's on purpose.
 */
export function kernelEnv(
  prefix: string,
  isolated: boolean
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: `${prefix}/bin:\${PATH}`,
    PYTHONHOME: '',
    PYTHONNOUSERSITE: isolated ? '1' : ''
  };
  if (isolated) {
    env.PYTHONPATH = '';
  }
  return env;
}

/** Our metadata block from a spec's `metadata`, or null when the spec is not ours. */
export function readImageFacts(metadata: unknown): IKernelImageFacts | null {
  if (metadata === null || typeof metadata !== 'object') {
    return null;
  }
  const block = (metadata as Record<string, unknown>)[METADATA_NAMESPACE];
  if (block === null || typeof block !== 'object') {
    return null;
  }
  const facts = block as Partial<IKernelImageFacts>;
  if (
    facts.role !== 'isolated' &&
    facts.role !== 'usersite' &&
    facts.role !== 'extended-env'
  ) {
    return null;
  }
  return {
    role: facts.role,
    image: String(facts.image ?? ''),
    name: String(facts.name ?? ''),
    tag: String(facts.tag ?? ''),
    os: String(facts.os ?? ''),
    python: String(facts.python ?? ''),
    flavour:
      facts.flavour === 'cpu' || facts.flavour === 'gpu' ? facts.flavour : '',
    buildDate: String(facts.buildDate ?? ''),
    packageCount: Number.isFinite(facts.packageCount)
      ? Number(facts.packageCount)
      : 0,
    prefix: String(facts.prefix ?? ''),
    ...(typeof facts.envPrefix === 'string'
      ? { envPrefix: facts.envPrefix }
      : {}),
    ...(typeof facts.envName === 'string' ? { envName: facts.envName } : {})
  };
}

function imageFacts(
  role: KernelRole,
  options: IKernelSpecOptions
): IKernelImageFacts {
  const image = options.image;
  return {
    role,
    image: image ? imageReference(image) : '',
    name: image?.name ?? '',
    tag: image?.tag ?? '',
    os: image?.os ?? '',
    python: image?.python ?? options.python,
    flavour: image?.flavour ?? '',
    buildDate: image?.buildDate ?? '',
    packageCount: image?.packages.length ?? 0,
    prefix: options.prefix
  };
}
