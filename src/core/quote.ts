/**
 * The one quoting module: a value as one word of POSIX sh (dash, bash, zsh),
 * of csh/tcsh, or of a Dockerfile, and the command line a user pastes when
 * the extension cannot run `mlc` itself. Pure string work, shared by mlc and
 * the extension.
 *
 * The rules, each checked against the real shells in tests/hostile/quote.test.ts:
 * - A plain word (letters, digits and `_@%+=:,./-`, not starting with `=`)
 *   stays as it is in every language, so commands read naturally. A leading
 *   `=` is out: zsh expands `=cmd` to a command's path and tcsh `=N` to the
 *   directory stack.
 * - sh: anything else goes in single quotes, inside which nothing is special
 *   but the quote itself, written `'\''`. Any text without NUL survives,
 *   newlines included.
 * - csh/tcsh: single quotes too, but history substitution sees `!` even
 *   inside them, in interactive shells and sourced files alike, so each `!`
 *   gets a backslash (which csh removes there); a `'` is closed, given in
 *   double quotes, and reopened. csh cannot keep a newline or carriage return
 *   in a quoted word: those throw.
 * - Dockerfile (`ENV`, `ARG`): double quotes, in which the builder handles
 *   `\` escapes and expands `$VAR`, so `\`, `"` and `$` get a backslash.
 * - The paste command refuses every control character: a pasted line with a
 *   newline would run as several commands.
 */

/** Characters that none of these languages treat specially. */
const PLAIN = /^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/;

/** A word of the `mlcCommand` setting: plain, or a home-relative path (`~/...`). */
const COMMAND_WORD = /^(~\/)?[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/;

/**
 * How a quoter treats a plain word: `readable` leaves it bare (commands a
 * person reads); `always` quotes it too (template slots, whose text then
 * has one form whatever the value).
 */
export type QuoteStyle = 'readable' | 'always';

/** `value` as one POSIX sh word that reads back as exactly `value`. */
export function shQuote(value: string, style: QuoteStyle = 'readable'): string {
  if (style === 'readable' && PLAIN.test(value)) {
    return value;
  }
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * `value` as one csh/tcsh word, also inside a sourced file. Throws for a
 * newline or carriage return, which no csh word can hold.
 */
export function cshQuote(
  value: string,
  style: QuoteStyle = 'readable'
): string {
  if (/[\n\r]/.test(value)) {
    throw new Error('a csh word cannot hold a newline or carriage return');
  }
  if (style === 'readable' && PLAIN.test(value)) {
    return value;
  }
  // `'` closes the quotes, `"'"` gives the quote, `'` reopens.
  const quoteInQuotes = "'\"'\"'";
  return `'${value.replace(/!/g, '\\!').replace(/'/g, quoteInQuotes)}'`;
}

/** `value` as one Dockerfile `ENV`/`ARG` value. */
export function dockerfileQuote(value: string): string {
  if (PLAIN.test(value)) {
    return value;
  }
  return `"${value.replace(/[\\"$]/g, match => `\\${match}`)}"`;
}

/** Whether `text` has a control character (a paste command refuses them). */
export function hasControlCharacter(text: string): boolean {
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) {
      return true;
    }
  }
  return false;
}

/**
 * One argument of a command to paste into a POSIX shell: as `shQuote`, but
 * throws for newlines and other control characters.
 */
export function pasteQuote(arg: string): string {
  if (hasControlCharacter(arg)) {
    throw new Error('an argument contains a newline or control character');
  }
  return shQuote(arg);
}

/** The full command line to paste: the mlc command words, then quoted arguments. */
export function commandToPaste(
  mlcWords: readonly string[],
  args: readonly string[]
): string {
  return [...mlcWords, ...args.map(pasteQuote)].join(' ');
}

/** Why an `mlcCommand` setting cannot be typed into a shell. */
export type MlcCommandProblem =
  { code: 'empty' } | { code: 'shell-syntax'; word: string };

/** The `mlcCommand` setting split into words, or why it cannot be used. */
export type MlcCommandParse =
  { ok: true; words: string[] } | ({ ok: false } & MlcCommandProblem);

/**
 * Split the `mlcCommand` setting (e.g. `mlc`, `/opt/conda/bin/mlc` or
 * `node /srv/mlc.cjs`) into words. Words are limited to plain characters
 * (and a leading `~/`), so the setting is typed as it is: no shell's quoting
 * rules are involved, and every shell reads the same words.
 */
export function parseMlcCommand(setting: string): MlcCommandParse {
  const words = setting
    .trim()
    .split(/[ \t]+/)
    .filter(word => word.length > 0);
  if (words.length === 0) {
    return { ok: false, code: 'empty' };
  }
  const bad = words.find(word => !COMMAND_WORD.test(word));
  if (bad !== undefined) {
    return { ok: false, code: 'shell-syntax', word: bad };
  }
  return { ok: true, words };
}
