/**
 * The one validator module: every check of a name, a path or a label that
 * `mlc` and the extension apply, to user input and to names read from files
 * a user can edit (the env record, conda-meta/.mlc-base-records, kernel
 * specs) alike (docs/architecture.md, "Names read from files"). Each check
 * returns a code, never words: mlc words the codes in English
 * (src/core/problemText.ts), the extension with `trans.__` strings
 * (src/lab/envActions/problemWords.ts), so mlc's English stays out of the
 * browser bundle (tests/unit/browserBundle.test.ts). Pure string logic:
 * whether a path exists is the caller's business.
 */
import { hasControlCharacter } from './quote';

/** Longest env name we accept (a path component; kernel names derive from it). */
export const MAX_ENV_NAME_LENGTH = 100;

/** Longest path component Linux file systems accept, in bytes. */
export const MAX_NAME_BYTES = 255;

/** Longest kernel name Jupyter's own spec manager accepts in practice. */
export const MAX_KERNEL_NAME_LENGTH = 128;

/** Longest conda-meta record file name. */
export const MAX_CONDA_RECORD_LENGTH = 255;

/**
 * Why an env name, a path or a label typed into a form is refused: a code
 * with its parameters (the extension words each of these).
 */
export type InputProblem =
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

/** Why a name or path read from a file (or given to mlc) is refused. */
export type RecordProblem =
  | { code: 'kernel-name-empty' }
  | { code: 'kernel-name-too-long'; max: number }
  | { code: 'kernel-name-characters' }
  | { code: 'kernel-name-dot' }
  | { code: 'conda-record-length'; max: number }
  | { code: 'conda-record-form'; name: string }
  | { code: 'path-not-utf8' }
  | { code: 'path-not-absolute' }
  | { code: 'path-not-normal' }
  | { code: 'prefix-colon' };

export type ValidationProblem = InputProblem | RecordProblem;

/** Longest display name we accept. */
export const MAX_LABEL_LENGTH = 200;

/**
 * Why `name` cannot name an extended env, or null when it can.
 *
 * Spaces, quotes, `$`, `;` and non-ASCII are fine: user text never reaches a
 * shell unquoted. Control characters (newlines above all) are refused: they
 * corrupt the activation scripts' comments and every line-based listing.
 */
export function envNameIssue(name: string): InputProblem | null {
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
export function pathIssue(path: string): InputProblem | null {
  if (path.length === 0) {
    return { code: 'path-empty' };
  }
  if (Private.PRINTABLE_ASCII.test(path)) {
    return null; // the usual path: no NUL, no control character
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
export function labelIssue(text: string): InputProblem | null {
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

/**
 * Why `name` cannot be a kernel directory name, or null. Jupyter allows
 * `[a-z0-9._-]`; a name used as a path must also not be `.`, `..` or hidden
 * (our staging directories are hidden names beside the kernels).
 */
export function kernelNameIssue(name: string): RecordProblem | null {
  if (name.length === 0) {
    return { code: 'kernel-name-empty' };
  }
  if (name.length > MAX_KERNEL_NAME_LENGTH) {
    return { code: 'kernel-name-too-long', max: MAX_KERNEL_NAME_LENGTH };
  }
  if (!/^[a-z0-9._-]+$/.test(name)) {
    return { code: 'kernel-name-characters' };
  }
  if (name.startsWith('.')) {
    return { code: 'kernel-name-dot' };
  }
  return null;
}

/**
 * Why `line` is not the file name of a conda-meta package record
 * (`name-version-build.json`), or null. No `/`, no leading `.`, only the
 * characters conda allows in names, versions and build strings.
 */
export function condaRecordFileIssue(line: string): RecordProblem | null {
  if (line.length === 0 || line.length > MAX_CONDA_RECORD_LENGTH) {
    return { code: 'conda-record-length', max: MAX_CONDA_RECORD_LENGTH };
  }
  if (!Private.CONDA_RECORD.test(line)) {
    return { code: 'conda-record-form', name: line };
  }
  return null;
}

/**
 * Why `path`, given by the user or read from a file, cannot be used as a
 * path, or null: the checks of `pathIssue`, and text that is not what the
 * user gave (a U+FFFD stands for bytes that were not valid UTF-8).
 */
export function userPathIssue(path: string): ValidationProblem | null {
  const problem = pathIssue(path);
  if (problem) {
    return problem;
  }
  if (
    !Private.PRINTABLE_ASCII.test(path) &&
    (path.includes('\uFFFD') || Private.hasLoneSurrogate(path))
  ) {
    return { code: 'path-not-utf8' };
  }
  return null;
}

/**
 * Why `path` cannot be a recorded absolute path (an env prefix, a base), or
 * null: it must be absolute and already normal (no `.`, `..` or empty
 * components), as mlc writes every path it records.
 */
export function recordedPathIssue(path: string): ValidationProblem | null {
  const problem = userPathIssue(path);
  if (problem) {
    return problem;
  }
  if (!path.startsWith('/')) {
    return { code: 'path-not-absolute' };
  }
  // A component that is empty, `.` or `..` (a trailing `/` is an empty one).
  if (path !== '/' && Private.NOT_NORMAL.test(path)) {
    return { code: 'path-not-normal' };
  }
  return null;
}

/**
 * Why `path` cannot be the prefix of an env, or null: a `:` would split
 * PATH and JUPYTER_PATH on activation, so its `bin` would never be found.
 */
export function envPrefixIssue(path: string): ValidationProblem | null {
  const problem = userPathIssue(path);
  if (problem) {
    return problem;
  }
  return path.includes(':') ? { code: 'prefix-colon' } : null;
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
  export const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
  export const NOT_NORMAL = /\/(?:\.\.?)?(?=\/|$)/;
  let encoder: InstanceType<typeof TextEncoder> | undefined;

  export function hasControl(text: string): boolean {
    return hasControlCharacter(text);
  }

  // Conda names: letters, digits, `_`, `.`, `-`, `+`; versions add `!`; build
  // strings letters, digits, `_`, `.`, `+`. The first character is no dot.
  export const CONDA_RECORD =
    /^[A-Za-z0-9_][A-Za-z0-9_.+-]*-[A-Za-z0-9_.+!]+-[A-Za-z0-9_.+]+\.json$/;

  export function hasLoneSurrogate(text: string): boolean {
    return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(
      text
    );
  }

  /** FNV-1a 32-bit as hex: a short, stable, dependency-free digest. */
  export function fnv1a(text: string): string {
    let hash = 0x811c9dc5;
    encoder ??= new TextEncoder();
    for (const byte of encoder.encode(text)) {
      hash ^= byte;
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash.toString(16).padStart(8, '0');
  }
}
