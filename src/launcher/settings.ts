/**
 * The settings the launcher section and the package browser read, from
 * `schema/plugin.json` (`jupyterlab-ml-containers:plugin`). Without a setting
 * registry the defaults apply.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Signal, type ISignal } from '@lumino/signaling';
import type { ISectionSettings } from './sectionWidget';

/** The plugin whose schema is `schema/plugin.json`. */
export const SETTINGS_PLUGIN_ID = 'jupyterlab-ml-containers:plugin';

export class SectionSettings implements ISectionSettings {
  /** `defaultTitle` (translated) is used while the `sectionTitle` setting is empty. */
  constructor(private readonly _defaultTitle: string) {}

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

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Follow the setting registry; a failure to load keeps the defaults. */
  async connect(registry: ISettingRegistry): Promise<void> {
    try {
      const settings = await registry.load(SETTINGS_PLUGIN_ID);
      this._read(settings);
      settings.changed.connect(this._read, this);
    } catch (reason) {
      console.warn(`${SETTINGS_PLUGIN_ID}: settings not loaded, using defaults`, reason);
    }
  }

  private _read(settings: ISettingRegistry.ISettings): void {
    const title = settings.get('sectionTitle').composite;
    const button = settings.get('showPackagesButton').composite;
    this._title = typeof title === 'string' ? title.trim() : '';
    this._showPackagesButton = button !== false;
    this._showStockCards = settings.get('showStockCards').composite === true;
    this._changed.emit();
  }

  private _title = '';
  private _showPackagesButton = true;
  private _showStockCards = false;
  private _changed = new Signal<this, void>(this);
}
