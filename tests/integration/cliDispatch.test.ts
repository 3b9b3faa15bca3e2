/**
 * The bundled mlc loads only the command group a command line needs
 * (src/cli/commandGroups.ts), answers a bare `--version` before loading
 * commander (src/cli/version.ts), and runs `env list`, `env create`,
 * `enter` and `info` in their plain shapes without commander
 * (src/cli/hotPath.ts). Whatever path a line takes, what it
 * prints and its exit status are those of the whole program: here every
 * line is run on the fast path and with MLC_LOAD_ALL_COMMANDS=1 (every
 * group registered, as before the split) and the two are compared.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { encodeWireRequest } from '../../src/core/wire';
import { runMlc, type IRunResult } from '../harness/mlc';
import { makeScratch } from '../harness/paths';

let scratch: { dir: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;
/** A work directory set up with an Apptainer sandbox, the engine a stand-in. */
let setUp: string;
/** A catalogue whose one image's registry refuses connections (port 9 on the loopback). */
let catalogue: string;

beforeAll(() => {
  scratch = makeScratch('cli-dispatch');
  const home = path.join(scratch.dir, 'home');
  fs.mkdirSync(home);
  env = {
    HOME: home,
    XDG_CACHE_HOME: path.join(home, 'cache'),
    JUPYTER_DATA_DIR: path.join(home, 'jupyter-data'),
    MLC_CATALOGUE: path.join(scratch.dir, 'no-catalogue.json'),
    MLC_LOAD_ALL_COMMANDS: ''
  };
  setUp = sandboxWorkDir();
  catalogue = path.join(scratch.dir, 'catalogue.json');
  fs.writeFileSync(
    catalogue,
    JSON.stringify({
      schemaVersion: 1,
      images: [
        {
          name: 'tiny',
          tag: 'v1',
          reference: '127.0.0.1:9/bench/tiny:v1',
          flavour: 'cpu',
          python: '3.11'
        }
      ]
    })
  );
});

/**
 * A state file as `mlc setup --apptainer` leaves it, and an `apptainer`
 * first on PATH that prints its arguments and exits with 3, so `enter`
 * runs to its end: what it passes on and its status are compared.
 */
function sandboxWorkDir(): string {
  const bin = path.join(scratch.dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'apptainer'),
    '#!/bin/sh\nprintf "[%s]" "$@"; echo; echo to-stderr >&2; exit 3\n',
    { mode: 0o755 }
  );
  env.PATH = `${bin}:${process.env.PATH ?? ''}`;
  const dir = path.join(scratch.dir, 'set-up');
  fs.mkdirSync(path.join(dir, '.mlc-sandbox-tiny'), { recursive: true });
  const real = fs.realpathSync(dir);
  const state = {
    schemaVersion: 1,
    writtenBy: '0.0.0',
    engine: 'apptainer',
    workdir: real,
    workdirId: createHash('sha256').update(real).digest('hex'),
    setupId: 'a'.repeat(32),
    setupAt: '2026-12-06T12:00:00.000Z',
    image: {
      name: 'tiny',
      tag: 'v1',
      reference: 'localhost/tiny:v1',
      digest: null,
      compressedSize: null,
      created: null,
      lastUpdated: null
    },
    sandbox: { directory: '.mlc-sandbox-tiny' },
    binds: [],
    gpu: 'none'
  };
  fs.writeFileSync(
    path.join(real, '.mlc-container.json'),
    JSON.stringify(state)
  );
  return real;
}

afterAll(() => scratch?.cleanup());

/** The line run on the fast path and on the whole program; both results. */
function bothPaths(
  args: string[],
  cwd = scratch.dir
): { fast: IRunResult; full: IRunResult } {
  return {
    fast: runMlc(args, { env, cwd }),
    full: runMlc(args, { env: { ...env, MLC_LOAD_ALL_COMMANDS: '1' }, cwd })
  };
}

function expectSame(args: string[], cwd?: string): IRunResult {
  const { fast, full } = bothPaths(args, cwd);
  expect({ args, ...fast }).toEqual({ args, ...full });
  return fast;
}

/** The top-level command names `mlc --help` lists. */
function topLevelCommands(): string[] {
  const help = runMlc(['--help'], { env, cwd: scratch.dir }).stdout;
  const commands = help.slice(help.indexOf('\nCommands:\n'));
  return [...commands.matchAll(/^ {2}([a-z][a-z-]*)/gm)]
    .map(match => match[1])
    .filter(name => name !== 'help');
}

describe('mlc on the fast path answers as the whole program does', () => {
  it.each([
    [['--version']],
    [['-V']],
    [['--json', '--version']],
    [['--version', '--json']],
    [['-V', '-V']],
    [['--version', '--help']],
    [['-V', 'env']],
    [['env', '--version']]
  ])('version: %j', args => {
    expectSame(args);
  });

  it('prints the version alone, as text and as events', () => {
    const text = expectSame(['--version']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
    const events = expectSame(['--json', '-V'])
      .stdout.trim()
      .split('\n')
      .map(line => JSON.parse(line) as { type: string; command?: string });
    expect(events.map(event => event.type)).toEqual(['result', 'end']);
    expect(events[0].command).toBe('version');
  });

  it.each([
    [[]],
    [['--json']],
    [['--help']],
    [['-h']],
    [['--json', '--help']],
    [['help']],
    [['help', 'env']],
    [['bogus']],
    [['--json', 'bogus']],
    [['--bogus']],
    [['--', 'env']],
    [['env']],
    [['--json', 'env']],
    [['env', 'bogus']],
    [['env', 'list', '--bogus']],
    [['env', 'list', '--json']],
    [['--json', 'env', 'list']],
    [['env', 'create']],
    [['env', 'create', '--help']],
    [['info']],
    [['info', 'nosuch', '--json']],
    [['enter']],
    [['kernels', 'env', '--format', 'bogus']],
    [['hub']]
  ])('help, errors and --json: %j', args => {
    expectSame(args);
  });

  it.each([
    [['env', 'list', '--dir', '/nonexistent']],
    [['--json', 'env', 'list', '--dir', '/nonexistent', '--dir', '/']],
    [['env', '--json', 'list']],
    [['env', 'list', '--dir']],
    [['env', 'list', '--dir', '--json']],
    [['env', 'list', '--dir=/nonexistent']],
    [['env', 'list', 'extra']],
    [['env', 'create', '--json']],
    [['env', 'create', 'a', '-p', 'b']],
    [['env', 'create', 'a', 'b']],
    [['env', 'create', '-p']],
    [['env', 'create', 'new-env', '--allow-other-image', '--json']],
    [['env', 'create', 'new-env', '--base', '/nonexistent', '--no-kernel']],
    [['env', 'create', 'new-env', '--from', '/nonexistent.json', '--json']],
    [['env', 'create', '/nonexistent/dir/env', '--json']]
  ])('env list and env create, on their own path: %j', args => {
    expectSame(args);
  });

  it.each([
    [['info', 'nosuch']],
    [['info', '']],
    [['--json', 'info', 'nosuch']],
    [['info', 'nosuch', '--catalogue', '/nonexistent.json']],
    [['info', '--catalogue', '/nonexistent.json', 'nosuch', '--json']],
    [['info', '--json']],
    [['info', 'a', 'b']],
    [['info', 'a', '--catalogue']],
    [['info', 'a', '--catalogue', '--json']],
    [['info', 'a', '--catalogue=/nonexistent.json']],
    [['info', 'a', '--catalogue', 'x', '--catalogue', 'y']],
    [['info', '-h']],
    [['info', '--', 'a']],
    [['enter', 'ls']],
    [['enter', '--', 'ls', '-la']],
    [['--json', 'enter']],
    [['enter', 'ls', '-la']],
    [['enter', 'ls', '--', '-la']],
    [['enter', '--bogus']]
  ])('info and enter, on their own path: %j', args => {
    expectSame(args);
  });

  it.each([
    [['enter']],
    [['enter', 'ls', '/tmp']],
    [['enter', 'ls', '--json', 'x']],
    [['enter', '--', 'ls', '-la', '--json', '--help', '--', '-V']],
    [['--json', 'enter', '--', 'sh', '-c', 'exit 3']],
    [['enter', '--']],
    [['enter', '', 'y z']],
    [['enter', 'ls', '-la']],
    [['enter', 'ls', '--', '-la']],
    [['enter', '-']],
    [['enter', '-h']],
    [['enter', 'ls', '-V']]
  ])('enter in a set-up work directory: %j', args => {
    const result = expectSame(args, setUp);
    if (args.every(arg => arg !== '-h' && arg !== '-V' && arg !== '-la')) {
      // The stand-in ran: its status and output are mlc's.
      expect(result.code).toBe(3);
      expect(result.stdout).toContain('[-w][--pwd]');
    }
  });

  it.each([
    [['info', 'tiny:v1', '--catalogue', 'CATALOGUE']],
    [['--json', 'info', '--catalogue', 'CATALOGUE', 'tiny']],
    [['info', 'other', '--catalogue', 'CATALOGUE']],
    [['info', 'tiny', '--catalogue', 'CATALOGUE', '--catalogue', 'CATALOGUE']]
  ])('info with a catalogue: %j', args => {
    const result = expectSame(
      args.map(arg => (arg === 'CATALOGUE' ? catalogue : arg))
    );
    expect(result.code).not.toBe(0);
  });

  it('gives every top-level command its own help, as the whole program does', () => {
    const commands = topLevelCommands();
    // The groups and the runner's top-level verbs: a split that lost one would differ here.
    expect(commands).toEqual(
      expect.arrayContaining([
        'env',
        'kernels',
        'image',
        'hub',
        'info',
        'enter'
      ])
    );
    for (const command of commands) {
      const help = expectSame([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: mlc ${command}`);
    }
  });

  it.each([
    [['env', 'list']],
    [['env', 'list', '--dir', '/nonexistent']],
    [['env', 'check', '/nonexistent']],
    [['env', 'remove']],
    [['env', 'install-scripts']],
    [['info', 'x']],
    [['--version']],
    [['--help']],
    [[]],
    [['env']],
    [['kernels', 'list']]
  ])('wire mode: %j', args => {
    const encoded = encodeWireRequest({
      nonce: '0123456789abcdef01234567',
      args
    });
    expectSame(['--wire', encoded]);
  });

  it('refuses a malformed wire request the same way', () => {
    expectSame(['--wire', 'not base64!']);
    expectSame(['--wire']);
  });
});
