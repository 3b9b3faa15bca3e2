/**
 * The names a work directory's setup is known by: the state file, the
 * labels of its container, the engines. Apart from the state file's schema
 * (workState.ts) so that registering the verbs builds no schema.
 */
export const WORK_STATE_FILE = '.mlc-container.json';
export const WORK_STATE_VERSION = 1;

/** Labels every container `mlc setup` creates carries. */
export const LABEL_WORKDIR_ID = 'io.github.mlc.workdir-id';
export const LABEL_WORKDIR = 'io.github.mlc.workdir';
export const LABEL_SETUP_ID = 'io.github.mlc.setup-id';

export const ENGINES = [
  'podman',
  'docker',
  'nerdctl',
  'apptainer',
  'singularity'
] as const;
export type Engine = (typeof ENGINES)[number];

export function isSandboxEngine(engine: Engine): boolean {
  return engine === 'apptainer' || engine === 'singularity';
}
