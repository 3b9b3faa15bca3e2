/**
 * The command a user pastes into a terminal when the extension cannot run
 * `mlc` itself (terminals disabled on the server), and the checks that keep
 * the `mlcCommand` setting from ever carrying shell syntax.
 */

/** Characters every shell (sh, bash, zsh, tcsh) passes through unquoted. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A word of the `mlcCommand` setting: plain, or a home-relative path (`~/...`). */
const COMMAND_WORD = /^(~\/)?[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quote one argument for a POSIX shell: plain words stay as they are (so the
 * command reads naturally), everything else goes in single quotes, inside
 * which nothing is special but the quote itself.
 *
 * Throws for newlines and other control characters: a pasted multi-line
 * command would run its lines one by one.
 */
export function posixQuote(arg: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(arg)) {
    throw new Error('an argument contains a newline or control character');
  }
  if (PLAIN_WORD.test(arg)) {
    return arg;
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The full command line to paste: the mlc command words, then quoted arguments. */
export function commandToPaste(mlcWords: readonly string[], args: readonly string[]): string {
  return [...mlcWords, ...args.map(posixQuote)].join(' ');
}

/** The `mlcCommand` setting split into words, or why it cannot be typed into a shell. */
export type MlcCommandParse = { ok: true; words: string[] } | { ok: false; problem: string };

/**
 * Split the `mlcCommand` setting (e.g. `mlc`, `/opt/conda/bin/mlc` or
 * `node /srv/mlc.cjs`) into words. Words are limited to characters no shell
 * interprets, so the setting can be typed as it is: no quoting rules of one
 * shell or another are involved.
 */
export function parseMlcCommand(setting: string): MlcCommandParse {
  const words = setting.trim().split(/[ \t]+/).filter(word => word.length > 0);
  if (words.length === 0) {
    return { ok: false, problem: 'the mlcCommand setting is empty' };
  }
  const bad = words.find(word => !COMMAND_WORD.test(word));
  if (bad !== undefined) {
    return {
      ok: false,
      problem: `the mlcCommand setting word ${JSON.stringify(bad)} has characters a shell would interpret`
    };
  }
  return { ok: true, words };
}
