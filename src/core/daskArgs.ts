/**
 * The rules for `mlc env dask-config`'s worker-job values, shared by the CLI
 * (src/cli/env/daskConfig.ts, src/cli/env/directiveValue.ts) and the
 * extension's form, so both refuse the same text. They become #SBATCH lines
 * in dask-jobqueue's job script, where no quoting is dependable.
 */

/** Cores per worker job: a positive whole number. */
export const DASK_CORES = /^[1-9][0-9]{0,4}$/;

/** Memory per worker job as dask-jobqueue parses it: 2GiB, 4GB, 512MB. */
export const DASK_MEMORY = /^[0-9]+(\.[0-9]+)?\s?([kKMGT]i?B|B)?$/;

/** A Slurm time limit: 01:00:00, 2-00:00:00, 90. */
export const DASK_WALLTIME = /^[0-9][0-9:-]*$/;

/** Partition, account and QOS names, times and sizes in a scheduler directive. */
export const DIRECTIVE_VALUE = /^[A-Za-z0-9_][A-Za-z0-9_.:,+@%=/-]*$/;

/** The longest directive value accepted. */
export const MAX_DIRECTIVE_LENGTH = 200;

/** Whether a scheduler directive can carry `value` as it is. */
export function isDirectiveValue(value: string): boolean {
  return DIRECTIVE_VALUE.test(value) && value.length <= MAX_DIRECTIVE_LENGTH;
}
