/**
 * Values that become scheduler directives (`#SBATCH --partition=...`,
 * dask-jobqueue's header lines, HTCondor submit commands), where no quoting
 * is dependable: accepted only when made of the characters partition,
 * account and QOS names, times and sizes have; else one clear line.
 */
import { isDirectiveValue } from '../../core/daskArgs';
import { elideText } from '../../core/visibleText';
import { UserError } from '../errors';

/** `value` when a directive can carry it as it is; else a UserError naming `flag`. */
export function directiveValue(flag: string, value: string): string {
  if (!isDirectiveValue(value)) {
    throw new UserError(
      `${flag} "${shownValue(value)}" has characters a scheduler directive cannot carry safely`,
      'use letters, digits and _ . : , + @ % = / - only (a letter, digit or _ first)'
    );
  }
  return value;
}

/** A value as an error line shows it: escaped, at most 60 characters. */
export function shownValue(value: string): string {
  return elideText(value, 60);
}
