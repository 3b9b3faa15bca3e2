/**
 * Name and path checks shared by `mlc` and the extension's dialogs, so both
 * refuse the same input with the same words. Pure string logic: whether a
 * path exists is the caller's business.
 */

/** Longest env name we accept (a path component; kernel names derive from it). */
export const MAX_ENV_NAME_LENGTH = 100;

/** Longest path component Linux file systems accept, in bytes. */
export const MAX_NAME_BYTES = 255;

/**
 * Why `name` cannot name an extended env, or null when it can.
 *
 * Spaces, quotes, `$`, `;` and non-ASCII are fine: user text never reaches a
 * shell unquoted. Control characters (newlines above all) are refused: they
 * corrupt the activation scripts' comments and every line-based listing.
 */
export function envNameProblem(name: string): string | null {
  if (name.length === 0) {
    return 'the env name is empty';
  }
  if (name === '.' || name === '..') {
    return `"${name}" cannot name an env; choose a name such as myEnv`;
  }
  if (name.includes('/')) {
    return 'the env name contains "/"; give the name alone and the location separately';
  }
  if (Private.hasControl(name)) {
    return 'the env name contains a newline or control character';
  }
  if ([...name].length > MAX_ENV_NAME_LENGTH) {
    return `the env name is longer than ${MAX_ENV_NAME_LENGTH} characters`;
  }
  // A path component is limited to 255 bytes (NAME_MAX), and non-ASCII
  // characters take up to four bytes each in UTF-8.
  if (new TextEncoder().encode(name).length > MAX_NAME_BYTES) {
    return `the env name is longer than ${MAX_NAME_BYTES} bytes in UTF-8`;
  }
  return null;
}

/** Why `path` cannot be used as a target path, or null. */
export function pathProblem(path: string): string | null {
  if (path.length === 0) {
    return 'the path is empty';
  }
  if (path.includes('\0')) {
    return 'the path contains a NUL byte';
  }
  if (Private.hasControl(path)) {
    return 'the path contains a newline or control character';
  }
  return null;
}

/**
 * Lexically normalise an absolute POSIX path: collapse `//`, `.` and `..`
 * (symlinks are the caller's to resolve).
 */
export function normalizeAbsolute(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') {
      continue;
    }
    if (part === '..') {
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return '/' + parts.join('/');
}

/** True when `inner` is `outer` or lies below it (both absolute, normalised). */
export function isWithin(inner: string, outer: string): boolean {
  if (outer === '/') {
    return true;
  }
  return inner === outer || inner.startsWith(outer.endsWith('/') ? outer : outer + '/');
}

/** Jupyter kernel names: `[a-z0-9._-]`, case-insensitive, lower-cased by Jupyter. */
export function isValidKernelName(name: string): boolean {
  return /^[a-z0-9._-]{1,128}$/.test(name);
}

/**
 * The kernel name registered for an env: readable and unique per prefix, so
 * two envs named alike in different folders never overwrite each other.
 */
export function envKernelName(envName: string, envPrefix: string): string {
  const slug =
    envName
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 40) || 'env';
  return `mlc-${slug}-${Private.fnv1a(envPrefix).slice(0, 8)}`;
}

/** A short, stable digest of `text` (8 hex digits), e.g. to name files after user text. */
export function shortDigest(text: string): string {
  return Private.fnv1a(text);
}

/** Why `text` cannot be a one-line label (a display name), or null. */
export function labelProblem(text: string): string | null {
  if (text.trim().length === 0) {
    return 'it is empty';
  }
  if (Private.hasControl(text)) {
    return 'it contains a newline or control character';
  }
  return text.length > 200 ? 'it is longer than 200 characters' : null;
}

namespace Private {
  export function hasControl(text: string): boolean {
    // eslint-disable-next-line no-control-regex
    return /[\u0000-\u001f\u007f]/.test(text);
  }

  /** FNV-1a 32-bit as hex: a short, stable, dependency-free digest. */
  export function fnv1a(text: string): string {
    let hash = 0x811c9dc5;
    for (const byte of new TextEncoder().encode(text)) {
      hash ^= byte;
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash.toString(16).padStart(8, '0');
  }
}
