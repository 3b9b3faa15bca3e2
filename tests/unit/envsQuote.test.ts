/**
 * The command shown to paste when terminals are disabled: every payload must
 * come out of a real POSIX shell as the exact argument it went in as.
 */
import { spawnSync } from 'child_process';
import {
  commandToPaste,
  parseMlcCommand,
  pasteQuote as posixQuote
} from '../../src/core/quote';
import { mlcCommandFor } from '../../src/lab/envActions/mlcCommand';

/** Run `printf '%s\0' <quoted...>` in a real shell and return the arguments it saw. */
function argsSeenBy(shell: string, quoted: string): string[] {
  const result = spawnSync(shell, ['-c', `printf '%s\\0' ${quoted}`], {
    encoding: 'utf-8'
  });
  expect(result.status).toBe(0);
  return result.stdout.split('\0').slice(0, -1);
}

const PAYLOADS = [
  'myEnv',
  'my env',
  "it's",
  "'''",
  '"double" quotes',
  '$(touch /tmp/mlc-quote-pwned)',
  '`touch /tmp/mlc-quote-pwned`',
  'a; touch /tmp/mlc-quote-pwned',
  'a && b || c | d',
  '$HOME ${HOME} $((1+1))',
  '*?[a-z]',
  '~/envs',
  '\\backslash\\',
  'énv-ü-日本',
  '-n',
  '',
  'a\tb'.replace('\t', ' ')
];

describe('posixQuote', () => {
  it('leaves plain words unquoted so the command reads naturally', () => {
    expect(posixQuote('myEnv')).toBe('myEnv');
    expect(posixQuote('/home/u/envs/my-env_1.2')).toBe(
      '/home/u/envs/my-env_1.2'
    );
    expect(posixQuote('--display-name')).toBe('--display-name');
  });

  it('single-quotes everything else, escaping the quote itself', () => {
    expect(posixQuote('my env')).toBe("'my env'");
    expect(posixQuote("it's")).toBe("'it'\\''s'");
    expect(posixQuote('')).toBe("''");
    expect(posixQuote('$(id)')).toBe("'$(id)'");
    expect(posixQuote('énv')).toBe("'énv'");
  });

  it.each([
    'line\nbreak',
    'carriage\rreturn',
    'tab\there',
    'nul\u0000',
    'esc\u001b[31m',
    'del\u007f'
  ])('rejects control characters: %j', payload => {
    expect(() => posixQuote(payload)).toThrow('newline or control character');
  });

  it.each(['sh', 'bash'])(
    'round-trips every payload through a real %s, running nothing',
    shell => {
      const quoted = PAYLOADS.map(posixQuote).join(' ');
      expect(argsSeenBy(shell, quoted)).toEqual(PAYLOADS);
    }
  );
});

describe('commandToPaste', () => {
  it('joins the mlc words and the quoted arguments', () => {
    expect(
      commandToPaste(
        ['mlc'],
        ['env', 'create', '/home/u/my env', '--display-name', "Anna's env"]
      )
    ).toBe("mlc env create '/home/u/my env' --display-name 'Anna'\\''s env'");
  });

  it('is one line a shell runs as exactly one command', () => {
    const line = commandToPaste(
      ['printf', posixQuote('%s\\0')],
      ['a; echo INJECTED', '$(echo INJECTED)']
    );
    const result = spawnSync('sh', ['-c', line], { encoding: 'utf-8' });
    expect(result.stdout.split('\0').slice(0, -1)).toEqual([
      'a; echo INJECTED',
      '$(echo INJECTED)'
    ]);
  });

  it('refuses a payload with a newline', () => {
    expect(() =>
      commandToPaste(['mlc'], ['env', 'create', 'a\nrm -rf ~'])
    ).toThrow('newline');
  });
});

describe('parseMlcCommand', () => {
  it('splits plain words', () => {
    expect(parseMlcCommand('mlc')).toEqual({ ok: true, words: ['mlc'] });
    expect(parseMlcCommand('  node   /srv/mlc/mlc.cjs ')).toEqual({
      ok: true,
      words: ['node', '/srv/mlc/mlc.cjs']
    });
    expect(parseMlcCommand('~/.local/bin/mlc')).toEqual({
      ok: true,
      words: ['~/.local/bin/mlc']
    });
  });

  it.each([
    '',
    '   ',
    'mlc; rm -rf ~',
    '$(mlc)',
    'my\\ mlc',
    "'mlc'",
    'mlc\nrm -rf ~',
    'a~b',
    '/opt/énv/mlc'
  ])('refuses %j with one line', setting => {
    const parsed = parseMlcCommand(setting);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      // One code per way to be wrong; the extension words each (envs/commands.ts).
      expect(['empty', 'shell-syntax']).toContain(parsed.code);
      expect(parsed.code === 'empty').toBe(setting.trim() === '');
      if (parsed.code === 'shell-syntax') {
        expect(setting).toContain(parsed.word);
      }
    }
  });
});

describe('mlcCommandFor: the one mlc of the runner and of the command to paste', () => {
  it('takes the setting when it is set', () => {
    expect(mlcCommandFor(' /srv/bin/mlc ', '/opt/conda')).toBe('/srv/bin/mlc');
  });

  it("defaults to the image's own <prefix>/bin/mlc", () => {
    expect(mlcCommandFor('', '/opt/conda/')).toBe('/opt/conda/bin/mlc');
    expect(
      commandToPaste([mlcCommandFor('', '/opt/conda')], ['env', 'list'])
    ).toBe('/opt/conda/bin/mlc env list');
  });

  it('falls back to mlc on PATH without an image prefix, or with one no shell takes as a plain word', () => {
    expect(mlcCommandFor('', null)).toBe('mlc');
    expect(mlcCommandFor('', '')).toBe('mlc');
    expect(mlcCommandFor('', '/opt/my conda')).toBe('mlc');
    expect(mlcCommandFor('', "/opt/it's")).toBe('mlc');
  });
});
