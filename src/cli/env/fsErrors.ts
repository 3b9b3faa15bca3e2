/**
 * File-system failures as the one line users get: what failed, where, and
 * what to do. Anything unexpected stays an internal error.
 */
import { UserError } from '../errors';

/** The errno code of a Node file-system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
}

/**
 * Turn a file-system error met while doing `action` (e.g. `creating the env
 * in /x`) into a UserError; rethrow what is not a file-system condition.
 */
export function fsUserError(error: unknown, action: string): UserError {
  if (error instanceof UserError) {
    return error;
  }
  switch (errnoCode(error)) {
    case 'ENOSPC':
      return new UserError(`no space left on the device while ${action}`, 'free some space or choose another location', 1);
    case 'EDQUOT':
      return new UserError(`disk quota exceeded while ${action}`, 'free some space or choose another location', 1);
    case 'EACCES':
    case 'EPERM':
      return new UserError(`permission denied while ${action}`, 'choose a location you can write', 1);
    case 'EROFS':
      return new UserError(`read-only file system while ${action}`, 'choose a location you can write', 1);
    case 'ENAMETOOLONG':
      return new UserError(`a path is too long while ${action}`, 'choose a shorter path or name', 2);
    case 'EMLINK':
    case 'ENFILE':
    case 'EMFILE':
    case 'EIO':
      return new UserError(`${(error as Error).message} while ${action}`, 'try again or choose another location', 1);
    default:
      throw error;
  }
}
