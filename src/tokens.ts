/**
 * The service tokens of the extension. IMLImage is what the launcher
 * section, the package browser and the env commands know about the image
 * this JupyterLab runs on.
 */
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { ImageMetadataState } from './launcher/imageState';
import type { IKernelCatalog } from './launcher/kernelCatalog';

export type { ImageMetadataState } from './launcher/imageState';
export type { IKernelCatalog } from './launcher/kernelCatalog';

/** The translation domain of every user-facing string of the extension. */
export const TRANSLATION_DOMAIN = 'jupyterlab_ml_containers';

export interface IMLImage {
  /** The server's kernel specs, sorted into image kernels, envs and others. */
  readonly catalog: IKernelCatalog;
  /** The image's `image.json`, with its package list. */
  readonly metadata: ImageMetadataState;
  /** Emitted when the catalog or the metadata changes. */
  readonly changed: ISignal<IMLImage, void>;
  /** Fetch the kernel specs now (after registering or removing a kernel). */
  refresh(): Promise<void>;
}

export const IMLImage = new Token<IMLImage>(
  'jupyterlab-ml-containers:IMLImage',
  "The ML image this JupyterLab runs on: its kernels, the user's extended envs and its image.json."
);
