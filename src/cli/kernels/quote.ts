/**
 * Quoting a value (a prefix path) for each language `mlc kernels` writes:
 * POSIX sh (bash, zsh, dash), csh/tcsh, and Dockerfile `ENV`. Every function
 * returns a single word that the target reads back as exactly `value`.
 *
 * Control characters (newlines above all) are refused by the callers'
 * path checks before anything is quoted: no shell keeps them in one word.
 */

/** Characters that none of these languages treat specially. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quote for POSIX sh: single quotes, inside which only `'` needs care. */
export function shQuote(value: string): string {
  if (PLAIN.test(value)) {
    return value;
  }
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Quote for csh/tcsh. Single quotes stop everything except history
 * substitution: `!` needs a backslash even inside them, including in a
 * sourced file. A `'` is closed, given in double quotes, and reopened.
 */
export function cshQuote(value: string): string {
  if (PLAIN.test(value)) {
    return value;
  }
  return `'${value.replace(/!/g, '\\!').replace(/'/g, `'"'"'`)}'`;
}

/**
 * Quote a Dockerfile `ENV` value: double quotes, in which the builder
 * handles `\` escapes and expands `$VAR`, so `\`, `"` and `$` are escaped.
 */
export function dockerfileQuote(value: string): string {
  if (PLAIN.test(value)) {
    return value;
  }
  return `"${value.replace(/[\\"$]/g, match => `\\${match}`)}"`;
}
