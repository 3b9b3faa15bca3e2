/**
 * The IMLImage service: follows the server's kernel specs (polled by
 * JupyterLab about once a minute, and on `refreshSpecs()`) and fetches
 * `image.json` again only when the image itself changes.
 */
import type { KernelSpec, ServerConnection } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import { Signal, type ISignal } from '@lumino/signaling';
import type { IMLImage } from '../tokens';
import { fetchImageMetadata } from './imageJson';
import type { ImageMetadataState } from './imageState';
import type { IEnvSummary } from '../../core/envRecord';
import {
  catalogKernels,
  EMPTY_CATALOG,
  withoutDanglingKernels,
  type IKernelCatalog
} from './kernelCatalog';

export class MLImageService implements IMLImage, IDisposable {
  constructor(options: MLImageService.IOptions) {
    this._kernelspecs = options.kernelspecs;
    this._serverSettings = options.serverSettings;
    this._kernelspecs.specsChanged.connect(this._onSpecs, this);
    void this._kernelspecs.ready.then(() => this._onSpecs());
  }

  get catalog(): IKernelCatalog {
    return this._catalog;
  }

  get envReports(): ReadonlyMap<string, IEnvSummary> {
    return this._envReports;
  }

  get metadata(): ImageMetadataState {
    return this._metadata;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  async refresh(): Promise<void> {
    await this._kernelspecs.refreshSpecs();
  }

  reportEnvs(envs: readonly IEnvSummary[], complete: boolean): void {
    if (this._isDisposed) {
      return;
    }
    const reports = new Map(complete ? [] : this._envReports);
    for (const env of envs) {
      reports.set(env.prefix, env);
    }
    this._envReports = reports;
    this._catalog = withoutDanglingKernels(this._specCatalog, reports);
    this._changed.emit();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _onSpecs(): void {
    if (this._isDisposed) {
      return;
    }
    this._specCatalog = catalogKernels(this._kernelspecs.specs?.kernelspecs);
    this._catalog = withoutDanglingKernels(this._specCatalog, this._envReports);
    const image = this._catalog.imageKernels[0];
    // The spec facts identify the image; the same image keeps its image.json.
    const key = image
      ? JSON.stringify([
          image.name,
          image.facts.image,
          image.facts.buildDate,
          image.facts.prefix
        ])
      : '';
    if (key !== this._metadataKey) {
      this._metadataKey = key;
      this._metadata = image
        ? { status: 'loading', kernelName: image.name }
        : { status: 'absent' };
      if (image) {
        void this._load(image.name, key);
      }
    }
    this._changed.emit();
  }

  private async _load(kernelName: string, key: string): Promise<void> {
    const result = await fetchImageMetadata(kernelName, this._serverSettings);
    if (this._isDisposed || key !== this._metadataKey) {
      return; // the image changed while this request was on its way
    }
    this._metadata = result.ok
      ? { status: 'ready', kernelName, value: result.value }
      : {
          status: 'error',
          kernelName,
          problem: result.problem,
          detail: result.detail
        };
    this._changed.emit();
  }

  private _kernelspecs: KernelSpec.IManager;
  private _serverSettings: ServerConnection.ISettings;
  /** The catalog as the specs say, before mlc's reports hide dangling kernels. */
  private _specCatalog: IKernelCatalog = EMPTY_CATALOG;
  private _catalog: IKernelCatalog = EMPTY_CATALOG;
  private _envReports: ReadonlyMap<string, IEnvSummary> = new Map();
  private _metadata: ImageMetadataState = { status: 'absent' };
  private _metadataKey = '';
  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
}

export namespace MLImageService {
  export interface IOptions {
    kernelspecs: KernelSpec.IManager;
    serverSettings: ServerConnection.ISettings;
  }
}
