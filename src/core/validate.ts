/**
 * Name and path checks shared by `mlc` and the extension's dialogs, so both
 * refuse the same input with the same words. Pure string logic: whether a
 * path exists is the caller's business.
 */
import { problemText } from './problemText';
import { hasControlCharacter } from './quote';

/** Longest env name we accept (a path component; kernel names derive from it). */
export const MAX_ENV_NAME_LENGTH = 100;

/** Longest path component Linux file systems accept, in bytes. */
export const MAX_NAME_BYTES = 255;

/**
 * Why a name, a path or a label is refused: a code with its parameters, so
 * that mlc words it in English (`problemText`, src/core/problemText.ts) and
 * the extension with literal `trans.__` strings (src/lab/envActions/problemWords.ts).
 */
export type ValidationProblem =
  | { code: 'name-empty' }
  | { code: 'name-dot'; name: string }
  | { code: 'name-slash' }
  | { code: 'name-control' }
  | { code: 'name-too-long'; max: number }
  | { code: 'name-too-many-bytes'; max: number }
  | { code: 'path-empty' }
  | { code: 'path-nul' }
  | { code: 'path-control' }
  | { code: 'label-empty' }
  | { code: 'label-control' }
  | { code: 'label-too-long'; max: number };

/** Longest display name we accept. */
export const MAX_LABEL_LENGTH = 200;

/**
 * Why `name` cannot name an extended env, or null when it can.
 *
 * Spaces, quotes, `$`, `;` and non-ASCII are fine: user text never reaches a
 * shell unquoted. Control characters (newlines above all) are refused: they
 * corrupt the activation scripts' comments and every line-based listing.
 */
export function envNameIssue(name: string): ValidationProblem | null {
  if (name.length === 0) {
    return { code: 'name-empty' };
  }
  if (name === '.' || name === '..') {
    return { code: 'name-dot', name };
  }
  if (name.includes('/')) {
    return { code: 'name-slash' };
  }
  if (Private.hasControl(name)) {
    return { code: 'name-control' };
  }
  if ([...name].length > MAX_ENV_NAME_LENGTH) {
    return { code: 'name-too-long', max: MAX_ENV_NAME_LENGTH };
  }
  // A path component is limited to 255 bytes (NAME_MAX), and non-ASCII
  // characters take up to four bytes each in UTF-8.
  if (new TextEncoder().encode(name).length > MAX_NAME_BYTES) {
    return { code: 'name-too-many-bytes', max: MAX_NAME_BYTES };
  }
  return null;
}

/** Why `path` cannot be used as a target path, or null. */
export function pathIssue(path: string): ValidationProblem | null {
  if (path.length === 0) {
    return { code: 'path-empty' };
  }
  if (path.includes('\0')) {
    return { code: 'path-nul' };
  }
  if (Private.hasControl(path)) {
    return { code: 'path-control' };
  }
  return null;
}

/** Why `text` cannot be a one-line label (a display name), or null. */
export function labelIssue(text: string): ValidationProblem | null {
  if (text.trim().length === 0) {
    return { code: 'label-empty' };
  }
  if (Private.hasControl(text)) {
    return { code: 'label-control' };
  }
  return text.length > MAX_LABEL_LENGTH
    ? { code: 'label-too-long', max: MAX_LABEL_LENGTH }
    : null;
}

/** `envNameIssue` in mlc's English, or null. */
export function envNameProblem(name: string): string | null {
  return Private.worded(envNameIssue(name));
}

/** `pathIssue` in mlc's English, or null. */
export function pathProblem(path: string): string | null {
  return Private.worded(pathIssue(path));
}

/** `labelIssue` in mlc's English, or null. */
export function labelProblem(text: string): string | null {
  return Private.worded(labelIssue(text));
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
  return (
    inner === outer ||
    inner.startsWith(outer.endsWith('/') ? outer : outer + '/')
  );
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

namespace Private {
  export function hasControl(text: string): boolean {
    return hasControlCharacter(text);
  }

  export function worded(problem: ValidationProblem | null): string | null {
    return problem ? problemText(problem) : null;
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
