/**
 * The two settings the env commands read (`envLocation`, `mlcCommand`) from
 * the extension's settings, schema/plugin.json. The registry is optional:
 * without it, or before it loads, the defaults apply.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';

/** The settings schema: schema/plugin.json of the package. */
export const SETTINGS_PLUGIN_ID = 'jupyterlab-ml-containers:plugin';

/** Empty: the image's own `<prefix>/bin/mlc` (see plugin.ts), else `mlc` on PATH. */
export const DEFAULT_MLC_COMMAND = '';

/** As the schema's default: a folder below the Jupyter root folder. */
export const DEFAULT_ENV_LOCATION = 'ml-envs';

export class EnvSettings {
  constructor(registry: ISettingRegistry | null) {
    this.ready = registry ? this._load(registry) : Promise.resolve();
  }

  /** Settles once the registry answered (or failed: the defaults stay). */
  readonly ready: Promise<void>;

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
      this._update(settings);
      settings.changed.connect(this._update, this);
    } catch (reason) {
      console.warn(`ml-containers: settings of ${SETTINGS_PLUGIN_ID} not loaded; using defaults`, reason);
    }
  }

  private _update(settings: ISettingRegistry.ISettings): void {
    const location = settings.get('envLocation').composite;
    const command = settings.get('mlcCommand').composite;
    this._envLocation = typeof location === 'string' ? location : DEFAULT_ENV_LOCATION;
    this._mlcCommand = typeof command === 'string' ? command.trim() : DEFAULT_MLC_COMMAND;
  }

  private _envLocation = DEFAULT_ENV_LOCATION;
  private _mlcCommand = DEFAULT_MLC_COMMAND;
}
