/**
 * jupyterlab-ml-containers: the JupyterLab side. Each plugin lives in its own
 * module; this file only collects them.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { launcherPlugin } from './launcher/plugin';

const plugins: JupyterFrontEndPlugin<unknown>[] = [launcherPlugin];

export default plugins;
