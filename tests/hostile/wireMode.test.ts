/**
 * `mlc --wire` and `--json` (issue 7, class 10; issue 8, item 8): every
 * answer is events ending in `end`, help and version included; an empty or
 * partial verb is an error event with a hint; only the verbs the extension
 * sends run over the wire; `--json` works before or after the command.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  encodeWireRequest,
  WireEventReader,
  type WireEvent
} from '../../src/core/wire';
import { runMlc, type IRunResult } from '../harness/mlc';
import { makeScratch } from '../harness/paths';

const NONCE = '0123456789abcdef01234567';
const scratch = makeScratch('hostile-wire');
const home = path.join(scratch.dir, 'home');
fs.mkdirSync(home);
/** A home of its own: `env list` reads the user's kernels, and there are none here. */
const isolated = {
  env: {
    HOME: home,
    JUPYTER_DATA_DIR: path.join(home, 'data'),
    JUPYTER_PATH: ''
  },
  timeoutMs: 60000
};

afterAll(() => scratch.cleanup());

describe('mlc --wire', () => {
  it.each([
    ['no verb', [], /names no command/],
    ['a group only', ['env'], /"mlc env" needs a subcommand/],
    [
      'a group and an option',
      ['env', '--json'],
      /"mlc env" needs a subcommand/
    ],
    [
      'a verb the extension does not send',
      ['kernels', 'doctor'],
      /"mlc kernels doctor" is not run over the wire/
    ],
    [
      'image manifest',
      ['image', 'manifest', '--prefix', '/', '--out-dir', '/'],
      /not run over the wire/
    ],
    ['an unknown word', ['rm', '-rf'], /"mlc rm -rf" is not run over the wire/],
    [
      'a bad option of an allowed verb',
      ['env', 'list', '--bogus'],
      /unknown option '--bogus'/
    ]
  ])(
    'answers %s with an error event with a hint, then end (exit 2)',
    (_label, args, message) => {
      const run = wire(args);
      expect(run.code).toBe(2);
      const events = wireEvents(run);
      expect(events).toHaveLength(2);
      const [error, end] = events;
      expect(error).toMatchObject({
        type: 'error',
        message: expect.stringMatching(message),
        hint: expect.any(String)
      });
      expect(end).toEqual({ type: 'end', exitCode: 2 });
    }
  );

  it.each([
    ['--help', 'help', /Usage: mlc/],
    ['--version', 'version', /^\d+\.\d+\.\d+/]
  ])(
    'answers %s with a result event carrying the text, then end',
    (flag, command, text) => {
      const run = wire([flag]);
      expect(run.code).toBe(0);
      const events = wireEvents(run);
      expect(events).toHaveLength(2);
      expect(events[0]).toMatchObject({
        type: 'result',
        command,
        data: { text: expect.stringMatching(text) }
      });
      expect(events[1]).toEqual({ type: 'end', exitCode: 0 });
    }
  );

  it('runs the verbs the extension sends', () => {
    const events = wireEvents(wire(['env', 'list']));
    expect(events[0]).toMatchObject({
      type: 'result',
      command: 'env list',
      data: { envs: [] }
    });
    expect(events[1]).toEqual({ type: 'end', exitCode: 0 });
  });

  it('refuses a malformed request or extra arguments with one line', () => {
    for (const args of [
      ['--wire'],
      ['--wire', 'not base64!'],
      ['--wire', encodeWireRequest({ nonce: NONCE, args: [] }), 'extra']
    ]) {
      const run = runMlc(args, isolated);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^mlc: error: [^\n]+\n$/);
    }
  });
});

describe('mlc --json', () => {
  it.each([
    ['before the command', ['--json', 'env', 'list']],
    ['after the command', ['env', 'list', '--json']],
    ['between group and verb', ['env', '--json', 'list']]
  ])('is one program-level option (%s)', (_label, args) => {
    const run = runMlc(args, isolated);
    expect(run.code).toBe(0);
    expect(jsonEvents(run)).toEqual([
      { type: 'result', command: 'env list', data: { envs: [] } },
      { type: 'end', exitCode: 0 }
    ]);
  });

  it.each([
    ['no command', ['--json'], 2],
    ['a group only', ['--json', 'kernels'], 2],
    ['an unknown option', ['env', 'list', '--bogus', '--json'], 2],
    ['a missing argument', ['--json', 'env', 'check'], 2],
    [
      'a failing command',
      ['--json', 'env', 'check', path.join(scratch.dir, 'nothing-here')],
      2
    ]
  ])(
    'answers every failure with an error event (%s)',
    (_label, args, exitCode) => {
      const run = runMlc(args, isolated);
      expect(run.code).toBe(exitCode);
      expect(run.stderr).toBe('');
      const events = jsonEvents(run);
      expect(events[0]).toMatchObject({
        type: 'error',
        message: expect.any(String),
        hint: expect.any(String)
      });
      expect(events[events.length - 1]).toEqual({ type: 'end', exitCode });
    }
  );

  it('answers --help and --version with a result event', () => {
    for (const [args, command] of [
      [['--json', '--help'], 'help'],
      [['--json', '--version'], 'version'],
      [['--version', '--json'], 'version'],
      [['env', 'list', '--help', '--json'], 'help']
    ] as const) {
      const run = runMlc([...args], isolated);
      expect(run.code).toBe(0);
      const events = jsonEvents(run);
      expect(events[0]).toMatchObject({
        type: 'result',
        command,
        data: { text: expect.any(String) }
      });
      expect(events[1]).toEqual({ type: 'end', exitCode: 0 });
    }
  });
});

function wire(args: string[]): IRunResult {
  return runMlc(
    ['--wire', encodeWireRequest({ nonce: NONCE, args })],
    isolated
  );
}

/** The events, with every stdout line required to carry the marker. */
function wireEvents(run: IRunResult): WireEvent[] {
  const lines = run.stdout.split('\n').filter(line => line !== '');
  for (const line of lines) {
    expect(line.startsWith(`@@mlc:${NONCE}@@`)).toBe(true);
  }
  expect(run.stderr).toBe('');
  const events = new WireEventReader(NONCE).push(run.stdout);
  expect(events).toHaveLength(lines.length);
  return events;
}

function jsonEvents(run: IRunResult): WireEvent[] {
  return run.stdout
    .split('\n')
    .filter(line => line !== '')
    .map(line => JSON.parse(line) as WireEvent);
}
