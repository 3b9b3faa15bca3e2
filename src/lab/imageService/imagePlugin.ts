/**
 * Provides IMLImage: the image's kernels, the user's extended envs and the
 * image's `image.json`, for the launcher section, the package browser and
 * the env commands. Its id names `schema/plugin.json`, the extension's
 * settings.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IMLImage } from '../tokens';
import { MLImageService } from './imageService';
import { SETTINGS_PLUGIN_ID } from '../settings/settings';

export const imagePlugin: JupyterFrontEndPlugin<IMLImage> = {
  id: SETTINGS_PLUGIN_ID,
  description:
    'Follows the kernel specs of the ML image and of the extended envs, and reads image.json.',
  provides: IMLImage,
  autoStart: true,
  activate: (app: JupyterFrontEnd): IMLImage => {
    const { kernelspecs, serverSettings } = app.serviceManager;
    return new MLImageService({ kernelspecs, serverSettings });
  }
};
