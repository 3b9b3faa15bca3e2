/** Placeholder: the launcher section for the image (issue 4). */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

export const launcherPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ml-containers:launcher',
  description: 'Shows the ML image, its kernels and extended envs in the launcher.',
  autoStart: true,
  activate: (app: JupyterFrontEnd): void => {
    void app;
  }
};
