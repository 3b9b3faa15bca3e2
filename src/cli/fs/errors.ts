/**
 * The one errno-to-message map: a file-system failure as the one line users
 * get (what failed, where, what to do). Anything that is not a file-system
 * condition stays an internal error.
 */
import { UserError } from '../errors';

/** The errno code of a Node file-system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  // Not `instanceof Error`: errors from another realm (a vm context, jest) fail it.
  const code =
    typeof error === 'object' && error !== null
      ? (error as NodeJS.ErrnoException).code
      : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** The short words for an errno code, e.g. `permission denied`; null when unknown. */
export function errnoWords(code: string | undefined): string | null {
  return code ? (Private.WORDS[code] ?? null) : null;
}

/** The path a Node file-system error names, if any. */
export function errnoPath(error: unknown): string | undefined {
  const where =
    typeof error === 'object' && error !== null
      ? (error as NodeJS.ErrnoException).path
      : undefined;
  return typeof where === 'string' ? where : undefined;
}

/**
 * Turn a file-system error met while doing `action` (e.g. `creating the env
 * /x`) into a UserError; rethrow what is not a file-system condition.
 */
export function fsUserError(error: unknown, action: string): UserError {
  if (error instanceof UserError) {
    return error;
  }
  const code = errnoCode(error);
  if (code && Private.REFUSALS[code]) {
    // Our own refusals (removeTree.ts, realDir.ts): the message names the path.
    return new UserError(
      `${(error as Error).message}; stopped while ${action}`,
      Private.REFUSALS[code],
      1
    );
  }
  const words = errnoWords(code);
  if (!code || !words) {
    throw error;
  }
  const where = errnoPath(error);
  const at = where ? ` (${where})` : '';
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new UserError(
        `${words} while ${action}`,
        'free some space or choose another location',
        1
      );
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new UserError(
        `${words} while ${action}`,
        'choose a location you can write',
        1
      );
    case 'ENAMETOOLONG':
      return new UserError(
        `a path is too long while ${action}`,
        'choose a shorter path or name',
        2
      );
    case 'ELOOP':
      return new UserError(
        `${words} while ${action}${at}`,
        'remove the symbolic link loop or choose another location',
        1
      );
    default:
      return new UserError(
        `${words} while ${action}${at}`,
        'check that path (mlc env check tells what an env lacks)',
        1
      );
  }
}

namespace Private {
  export const REFUSALS: Record<string, string> = {
    ENOTREALDIR:
      'mlc writes nothing through a link it did not make; put a real directory there (for an env: remove it and create it again)',
    ETREECHANGED: 'something changed the tree meanwhile; run the command again',
    ENOTATREE:
      'mlc removes nothing through a link; remove the link itself by hand if you mean to'
  };

  export const WORDS: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENAMETOOLONG: 'a path is too long',
    ENOTDIR: 'a file is where a directory was expected',
    EISDIR: 'a directory is where a file was expected',
    ELOOP: 'too many levels of symbolic links (a link loop)',
    EEXIST: 'a file is in the way',
    ENOENT: 'a file or directory is missing',
    ENOTEMPTY: 'a directory is not empty',
    EMLINK: 'too many links',
    ENFILE: 'too many open files in the system',
    EMFILE: 'too many open files',
    EIO: 'an input/output error',
    EXDEV: 'a rename across file systems',
    EBUSY: 'a file is busy',
    ETXTBSY: 'a program file is busy',
    EINVAL:
      'an invalid argument (the file system refused the name or operation)',
    EFBIG: 'a file is too large',
    ESTALE: 'a stale network file handle'
  };
}
