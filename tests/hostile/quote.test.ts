/**
 * src/core/quote.ts against the real shells: for arbitrary text, the quoted
 * word reads back as exactly that text in dash, bash and zsh (sh quoting),
 * in tcsh on a command line and in a sourced file (csh quoting), and a
 * paste command runs as one command with exactly its arguments.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import {
  commandToPaste,
  cshQuote,
  hasControlCharacter,
  shQuote
} from '../../src/core/quote';

/** Per shell and property: enough to find a missed rule, bounded to stay fast. */
const RUNS = 200;

/**
 * Tried first in every property: the cases each rule is for, which random
 * text seldom hits (zsh's `=cmd`, tcsh's `=N` and `!` history, `~`).
 */
const EXAMPLES: [string][] = [
  ['=ls'],
  ['=1'],
  ['=-'],
  ['~'],
  ['~root'],
  ['!!'],
  ['a!b'],
  ["'"],
  ['a\\'],
  ['-n'],
  [''],
  ['$HOME'],
  ['*']
];

/** UTF-8 everywhere, so that no shell reads non-ASCII bytes as something else. */
const ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8'
};

/** Characters the quoting rules are about, mixed into arbitrary text. */
const SPECIAL = [
  ...'\'"\\$`!~=%^&*()[]{}<>|;:,?# \t@+-./',
  '\u00e9',
  '\u65e5',
  '\u{1f600}'
];

/** Arbitrary text for which `exclude` is false. */
function text(exclude: (value: string) => boolean): fc.Arbitrary<string> {
  const char = fc.oneof(
    fc.constantFrom(...SPECIAL),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    fc.integer({ min: 0, max: 0x7f }).map(code => String.fromCharCode(code))
  );
  return fc
    .array(char, { maxLength: 24 })
    .map(chars => chars.join(''))
    .filter(value => !exclude(value));
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, {
    encoding: 'utf-8',
    env: ENV,
    // No stdin: bash takes a socket on stdin (Node's pipes) for an ssh
    // session and reads ~/.bashrc, which is neither wanted nor fast.
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10_000
  });
  if (result.status !== 0) {
    throw new Error(`${command} exited ${result.status}: ${result.stderr}`);
  }
  return result.stdout;
}

/** NUL cannot be in an argument at all. */
const hasNul = (value: string): boolean => value.includes('\0');

describe.each(['dash', 'bash', 'zsh'])('shQuote in a real %s', shell => {
  it('prints exactly the text when every word is quoted (the template style)', () => {
    fc.assert(
      fc.property(text(hasNul), value => {
        const quoted = shQuote(value, 'always');
        expect(quoted.startsWith("'")).toBe(true);
        expect(run(shell, ['-c', `printf %s ${quoted}`])).toBe(value);
      }),
      { numRuns: RUNS / 4, examples: EXAMPLES }
    );
  });

  it('prints exactly the text for arbitrary strings', () => {
    fc.assert(
      fc.property(text(hasNul), value => {
        expect(run(shell, ['-c', `printf %s ${shQuote(value)}`])).toBe(value);
      }),
      { numRuns: RUNS, examples: EXAMPLES }
    );
  });
});

describe('cshQuote in a real tcsh', () => {
  // The kernel-path callers refuse control characters; cshQuote throws for newlines.
  let dir = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlc-quote-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints exactly the text on a command line', () => {
    fc.assert(
      fc.property(text(hasControlCharacter), value => {
        expect(run('tcsh', ['-f', '-c', `printf %s ${cshQuote(value)}`])).toBe(
          value
        );
      }),
      { numRuns: RUNS, examples: EXAMPLES }
    );
  });

  it('prints exactly the text in a sourced file, where history substitution is on', () => {
    const script = path.join(dir, 'word.csh');
    fc.assert(
      fc.property(text(hasControlCharacter), value => {
        fs.writeFileSync(script, `printf %s ${cshQuote(value)}\n`);
        expect(run('tcsh', ['-f', '-c', `source ${script}`])).toBe(value);
      }),
      { numRuns: RUNS, examples: EXAMPLES }
    );
  });

  it('prints exactly the text in a sourced file when every word is quoted', () => {
    const script = path.join(dir, 'always.csh');
    fc.assert(
      fc.property(text(hasControlCharacter), value => {
        fs.writeFileSync(script, `printf %s ${cshQuote(value, 'always')}\n`);
        expect(run('tcsh', ['-f', '-c', `source ${script}`])).toBe(value);
      }),
      { numRuns: RUNS / 4, examples: EXAMPLES }
    );
  });

  it('refuses a newline rather than write a broken word', () => {
    expect(() => cshQuote('a\nb')).toThrow('newline');
  });
});

describe('commandToPaste in a real sh', () => {
  it('runs one command that sees exactly its arguments', () => {
    fc.assert(
      fc.property(
        fc.array(text(hasControlCharacter), { maxLength: 4 }),
        args => {
          const line = commandToPaste(['printf', "'%s\\n'"], args);
          const printed = run('dash', ['-c', line]);
          expect(printed).toBe(args.map(arg => `${arg}\n`).join('') || '\n');
        }
      ),
      { numRuns: RUNS, examples: [[EXAMPLES.map(([value]) => value)]] }
    );
  });

  it('refuses a control character in an argument', () => {
    expect(() =>
      commandToPaste(['mlc'], ['env', 'create', 'a\nrm -rf ~'])
    ).toThrow('newline');
  });
});
