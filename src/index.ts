/**
 * jupyterlab-ml-containers: the JupyterLab side. Each plugin lives in its own
 * module; this file only collects them.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { envsPlugin } from './envs/plugin';
import { imagePlugin } from './launcher/imagePlugin';
import { launcherPlugin } from './launcher/plugin';
import { packagesPlugin } from './packages/plugin';

const plugins: JupyterFrontEndPlugin<unknown>[] = [imagePlugin, launcherPlugin, packagesPlugin, envsPlugin];

export default plugins;
