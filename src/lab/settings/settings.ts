/**
 * The extension's settings, schema/plugin.json, read by the launcher
 * section, the package browser and the env commands. The registry is
 * optional: without it, before it loads, or when it fails, the defaults
 * (the schema's) apply.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Signal, type ISignal } from '@lumino/signaling';

/** The plugin whose schema is schema/plugin.json (the image plugin has this id). */
export const SETTINGS_PLUGIN_ID = 'jupyterlab-ml-containers:plugin';

/** Empty: the image's own `<prefix>/bin/mlc` (see envs/mlcCommand.ts), else `mlc` on PATH. */
export const DEFAULT_MLC_COMMAND = '';

/** As the schema's default: a folder below the Jupyter root folder. */
export const DEFAULT_ENV_LOCATION = 'ml-envs';

export class ExtensionSettings {
  /** `defaultTitle` (translated) is used while the `sectionTitle` setting is empty. */
  constructor(registry: ISettingRegistry | null, defaultTitle = '') {
    this._defaultTitle = defaultTitle;
    this.ready = registry ? this._load(registry) : Promise.resolve();
  }

  /** Settles once the registry answered (or failed: the defaults stay). */
  readonly ready: Promise<void>;

  /** Emitted after the settings were read or changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The launcher section's heading. */
  get title(): string {
    return this._title || this._defaultTitle;
  }

  get showPackagesButton(): boolean {
    return this._showPackagesButton;
  }

  /** Whether the stock Notebook and Console sections keep our kernels too. */
  get showStockCards(): boolean {
    return this._showStockCards;
  }

  /** Default folder for new envs; empty means the Jupyter root folder. */
  get envLocation(): string {
    return this._envLocation;
  }

  /** How the terminal runs mlc, e.g. `mlc` or `/opt/conda/bin/mlc`; empty for the default. */
  get mlcCommand(): string {
    return this._mlcCommand;
  }

  private async _load(registry: ISettingRegistry): Promise<void> {
    try {
      const settings = await registry.load(SETTINGS_PLUGIN_ID);
      this._read(settings);
      settings.changed.connect(this._read, this);
    } catch (reason) {
      console.warn(
        `${SETTINGS_PLUGIN_ID}: settings not loaded, using defaults`,
        reason
      );
    }
  }

  private _read(settings: ISettingRegistry.ISettings): void {
    const title = settings.get('sectionTitle').composite;
    const location = settings.get('envLocation').composite;
    const command = settings.get('mlcCommand').composite;
    this._title = typeof title === 'string' ? title.trim() : '';
    this._showPackagesButton =
      settings.get('showPackagesButton').composite !== false;
    this._showStockCards = settings.get('showStockCards').composite === true;
    this._envLocation =
      typeof location === 'string' ? location : DEFAULT_ENV_LOCATION;
    this._mlcCommand =
      typeof command === 'string' ? command.trim() : DEFAULT_MLC_COMMAND;
    this._changed.emit();
  }

  private readonly _defaultTitle: string;
  private _title = '';
  private _showPackagesButton = true;
  private _showStockCards = false;
  private _envLocation = DEFAULT_ENV_LOCATION;
  private _mlcCommand = DEFAULT_MLC_COMMAND;
  private readonly _changed = new Signal<this, void>(this);
}
