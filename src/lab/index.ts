/**
 * jupyterlab-ml-containers: the JupyterLab side. Each plugin lives in its own
 * module; this file only collects them, and exports the IMLImage token (with
 * its types) for other extensions.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { envsPlugin } from './envActions/plugin';
import { imagePlugin } from './imageService/imagePlugin';
import { launcherPlugin } from './launcher/plugin';
import { packagesPlugin } from './packageBrowser/plugin';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<unknown>[] = [
  imagePlugin,
  launcherPlugin,
  packagesPlugin,
  envsPlugin
];

export default plugins;
