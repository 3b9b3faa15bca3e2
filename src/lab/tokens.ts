/**
 * The service tokens of the extension, and the types they carry. IMLImage is
 * what the launcher section, the package browser and the env commands know
 * about the image this JupyterLab runs on; src/lab/imageService/ provides it.
 *
 * Only type declarations of the pure core are imported here, so any part of
 * the extension (or another extension) can depend on this file without
 * pulling in one of ours.
 */
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { IEnvSummary } from '../core/envRecord';
import type { ImageMetadata } from '../core/imageMetadata';
import type { IKernelImageFacts } from '../core/kernelspec';

/** The translation domain of every user-facing string of the extension. */
export const TRANSLATION_DOMAIN = 'jupyterlab_ml_containers';

/** What every tile or note needs of a kernel spec. */
export interface IKernelEntry {
  name: string;
  displayName: string;
  /** The spec's logo URL (served by Jupyter), or '' when it has none. */
  logoUrl: string;
}

/** ML-Python3 or ML-Python3-usersite. */
export interface IImageKernel extends IKernelEntry {
  role: 'isolated' | 'usersite';
  facts: IKernelImageFacts;
}

/** A kernel registered for one of the user's extended envs. */
export interface IEnvKernel extends IKernelEntry {
  envName: string;
  /** The env's prefix, '' when the spec does not say. */
  envPrefix: string;
  /** True when the env layers over another image prefix than this one. */
  onOtherBase: boolean;
}

/**
 * Whether a kernel's interpreter belongs to the image:
 * - `image`: `/usr/bin/env python3.X` of the image's Python, or a path under its prefix;
 * - `foreign`: an absolute path elsewhere, or `env` with another Python;
 * - `unknown`: a bare command name, found on the server's PATH (jupyter_client
 *   even swaps `python`/`python3` for the server's own interpreter), which the
 *   browser cannot see.
 */
export type InterpreterVerdict = 'image' | 'foreign' | 'unknown';

/** Any kernel that is neither the image's nor an extended env's. */
export interface IOtherKernel extends IKernelEntry {
  /** What the spec runs: argv[0], or the program `env` starts. */
  interpreter: string;
  verdict: InterpreterVerdict;
}

/** The server's kernel specs, sorted. */
export interface IKernelCatalog {
  /** The image's kernels, isolated first. */
  imageKernels: IImageKernel[];
  envKernels: IEnvKernel[];
  /**
   * Kernels of envs that `mlc` reported gone (deleted by hand, or another
   * env at their path): no tile, kept out of the stock launcher sections too.
   */
  danglingKernels: IEnvKernel[];
  otherKernels: IOtherKernel[];
  /** The image's facts from its kernel specs; null without an image kernel. */
  facts: IKernelImageFacts | null;
}

/** Why `image.json` could not be used; `detail` is untranslated technical text. */
export interface IImageJsonProblem {
  problem: 'unreachable' | 'missing' | 'http' | 'malformed' | 'newer';
  detail: string;
}

/** Where `image.json` stands, read from the kernel-spec folder of an image kernel. */
export type ImageMetadataState =
  | { status: 'absent' }
  | { status: 'loading'; kernelName: string }
  | { status: 'ready'; kernelName: string; value: ImageMetadata }
  | ({ status: 'error'; kernelName: string } & IImageJsonProblem);

export interface IMLImage {
  /** The server's kernel specs, sorted into image kernels, envs and others. */
  readonly catalog: IKernelCatalog;
  /** The image's `image.json`, with its package list. */
  readonly metadata: ImageMetadataState;
  /**
   * What `mlc env list` or `env check` last reported about each env, by
   * prefix (empty until such a run: the env commands make one per session,
   * after the launcher's first paint).
   */
  readonly envReports: ReadonlyMap<string, IEnvSummary>;
  /** Emitted when the catalog, the metadata or the env reports change. */
  readonly changed: ISignal<IMLImage, void>;
  /** Fetch the kernel specs now (after registering or removing a kernel). */
  refresh(): Promise<void>;
  /**
   * Take what an mlc run reported about envs; `complete` when it listed
   * every env (`env list`), so envs missing from it are forgotten.
   */
  reportEnvs(envs: readonly IEnvSummary[], complete: boolean): void;
}

export const IMLImage = new Token<IMLImage>(
  'jupyterlab-ml-containers:IMLImage',
  "The ML image this JupyterLab runs on: its kernels, the user's extended envs and its image.json."
);
