/**
 * Every command ID the extension defines or executes, in one place so that
 * palette entries, keyboard shortcuts and tests spell them alike.
 */
export namespace CommandIDs {
  /** Open the package browser of the image. */
  export const showPackages = 'ml-containers:show-packages';

  /** Create an extended env over the image env (dialog, then `mlc env create`). */
  export const createEnv = 'ml-containers:create-env';

  /** List the extended envs with their problems, each with a Fix button. */
  export const checkEnvs = 'ml-containers:check-envs';

  /** Confirm and remove an extended env with its kernel (args `{ prefix }`; without: pick one). */
  export const removeEnv = 'ml-containers:remove-env';

  /** Preview and install packages into an env (args `{ prefix }`; without: pick one). */
  export const addPackages = 'ml-containers:add-packages';

  /** Pick the env's own packages, preview and uninstall them (args `{ prefix }`). */
  export const removePackages = 'ml-containers:remove-packages';

  /** An env's revisions, each with a rollback (args `{ prefix }`). */
  export const envHistory = 'ml-containers:env-history';

  /** Write an env's lock file into the file browser's folder (args `{ prefix }`). */
  export const exportEnv = 'ml-containers:export-env';

  /** Rebuild an env on the updated image (args `{ prefix }`). */
  export const rebaseEnv = 'ml-containers:rebase-env';

  /** Write an env's Dask-on-Slurm configuration from a form (args `{ prefix }`). */
  export const daskConfig = 'ml-containers:dask-config';

  /**
   * The session's one `mlc env list` (image updates, deleted envs): run by
   * the launcher section after its first paint; not in the palette.
   */
  export const sessionEnvCheck = 'ml-containers:session-env-check';
}

/** The commands of an env tile's menu, in menu order. */
export const ENV_MENU_COMMANDS: readonly string[] = [
  CommandIDs.addPackages,
  CommandIDs.removePackages,
  CommandIDs.envHistory,
  CommandIDs.exportEnv,
  CommandIDs.rebaseEnv,
  CommandIDs.daskConfig,
  CommandIDs.removeEnv
];

/** Commands of other JupyterLab extensions that ours execute or watch. */
export namespace StockCommandIDs {
  /** notebook-extension: a new notebook, args `{ kernelName }`. */
  export const notebookCreateNew = 'notebook:create-new';

  /** console-extension: a new console, args `{ kernelPreference }`. */
  export const consoleCreate = 'console:create';

  /** terminal-extension: a new terminal tab, args `{ cwd }`. */
  export const terminalCreateNew = 'terminal:create-new';

  /** launcher-extension: a new Launcher tab (the layout restorer uses it too). */
  export const launcherCreate = 'launcher:create';
}
