/**
 * Validators for names and paths that are read from files a user can edit
 * (the env record, conda-meta/.mlc-base-records, kernel specs) or given on
 * the command line. Both pass the same checks: a file name stays a file
 * name, a recorded path is an absolute, normal path (docs/architecture.md,
 * "Names read from files"). Pure string logic.
 */
import { pathProblem } from './validate';
import { elideText } from './visibleText';

/** Longest kernel name Jupyter's own spec manager accepts in practice. */
export const MAX_KERNEL_NAME_LENGTH = 128;

/**
 * Why `name` cannot be a kernel directory name, or null. Jupyter allows
 * `[a-z0-9._-]`; a name used as a path must also not be `.`, `..` or hidden
 * (our staging directories are hidden names beside the kernels).
 */
export function kernelNameProblem(name: string): string | null {
  if (name.length === 0) {
    return 'the kernel name is empty';
  }
  if (name.length > MAX_KERNEL_NAME_LENGTH) {
    return `the kernel name is longer than ${MAX_KERNEL_NAME_LENGTH} characters`;
  }
  if (!/^[a-z0-9._-]+$/.test(name)) {
    return 'the kernel name has characters other than a-z, 0-9, ".", "_" and "-"';
  }
  if (name.startsWith('.')) {
    return 'the kernel name starts with "." (".", ".." and hidden names are not kernels)';
  }
  return null;
}

/**
 * Why `line` is not the file name of a conda-meta package record
 * (`name-version-build.json`), or null. No `/`, no leading `.`, only the
 * characters conda allows in names, versions and build strings.
 */
export function condaRecordFileProblem(line: string): string | null {
  if (line.length === 0 || line.length > 255) {
    return 'a conda record file name must have 1 to 255 characters';
  }
  if (!Private.CONDA_RECORD.test(line)) {
    return `"${elideText(line, 80)}" is not a conda record file name (name-version-build.json)`;
  }
  return null;
}

/**
 * Why `path` cannot be a recorded absolute path (an env prefix, a base), or
 * null: it must be absolute and already normal (no `.`, `..` or empty
 * components), as mlc writes every path it records.
 */
export function recordedPathProblem(path: string): string | null {
  const problem = userPathProblem(path);
  if (problem) {
    return problem;
  }
  if (!path.startsWith('/')) {
    return 'the path is not absolute';
  }
  if (
    path !== '/' &&
    path
      .split('/')
      .slice(1)
      .some(part => part === '' || part === '.' || part === '..')
  ) {
    return 'the path is not normal (it has ".", ".." or an empty component)';
  }
  return null;
}

/**
 * Why `path`, given by the user or read from a file, cannot be used as a
 * path, or null: the checks of `pathProblem`, and text that is not what the
 * user gave (a U+FFFD stands for bytes that were not valid UTF-8).
 */
export function userPathProblem(path: string): string | null {
  const problem = pathProblem(path);
  if (problem) {
    return problem;
  }
  if (path.includes('\uFFFD') || Private.hasLoneSurrogate(path)) {
    return 'the path is not valid UTF-8 (or contains U+FFFD)';
  }
  return null;
}

/**
 * Why `path` cannot be the prefix of an env, or null: a `:` would split
 * PATH and JUPYTER_PATH on activation, so its `bin` would never be found.
 */
export function envPrefixProblem(path: string): string | null {
  const problem = userPathProblem(path);
  if (problem) {
    return problem;
  }
  if (path.includes(':')) {
    return 'the path contains ":", which separates the entries of PATH, so the env\'s programs would not be found';
  }
  return null;
}

namespace Private {
  // Conda names: letters, digits, `_`, `.`, `-`, `+`; versions add `!`; build
  // strings letters, digits, `_`, `.`, `+`. The first character is no dot.
  export const CONDA_RECORD =
    /^[A-Za-z0-9_][A-Za-z0-9_.+-]*-[A-Za-z0-9_.+!]+-[A-Za-z0-9_.+]+\.json$/;

  export function hasLoneSurrogate(text: string): boolean {
    return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(
      text
    );
  }
}
