/**
 * Every command ID of the extension, in one flat namespace so that palette
 * entries, keyboard shortcuts and tests spell them alike.
 */
export namespace CommandIDs {
  /** Open the package browser of the image. */
  export const showPackages = 'ml-containers:show-packages';

  /** Create an extended env over the image env (dialog, then `mlc env create`). */
  export const createEnv = 'ml-containers:create-env';

  /** List the extended envs with their problems, each with a Fix button. */
  export const checkEnvs = 'ml-containers:check-envs';

  /** Pick an extended env, confirm, and remove it with its kernel. */
  export const removeEnv = 'ml-containers:remove-env';
}
