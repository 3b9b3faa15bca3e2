/**
 * The session script's words reach the engine exactly as given: bash
 * sources the script written by the real `mlc hub ondemand-script`, and a
 * stand-in engine on PATH (a script printing its arguments: Apptainer and
 * Singularity are not packaged here) shows what the function ran.
 */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { runCommand } from '../harness/mlc';
import { makeScratch, MLC_BUNDLE } from '../harness/paths';
import { hasControlCharacter } from '../../src/core/quote';

let scratch: { dir: string; cleanup: () => void };
let bin = '';

beforeAll(() => {
  scratch = makeScratch('hub-quote');
  bin = path.join(scratch.dir, 'bin');
  fs.mkdirSync(bin);
  // Prints each argument on a line of its own, NUL-free input assumed.
  const standIn = '#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done\n';
  for (const engine of ['apptainer', 'singularity', 'podman']) {
    fs.writeFileSync(path.join(bin, engine), standIn, { mode: 0o755 });
  }
});

afterAll(() => scratch?.cleanup());

/** Write the script with mlc, source it in bash, run `jupyter ARGS`; the engine's argv. */
function engineArgv(mlcArgs: string[], jupyterArgs: string[]): string[] {
  const file = path.join(scratch.dir, 'session.sh');
  fs.rmSync(file, { force: true });
  const written = runCommand(
    process.execPath,
    [MLC_BUNDLE, 'hub', 'ondemand-script', ...mlcArgs, '-o', file],
    {
      env: { PATH: `${bin}:/usr/bin:/bin` }
    }
  );
  if (written.code !== 0) {
    throw new Error(written.stderr);
  }
  const ran = runCommand(
    'bash',
    ['-c', 'set -e; source "$0"; jupyter "$@"', file, ...jupyterArgs],
    {
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: '/home/someone' },
      cwd: scratch.dir
    }
  );
  expect(ran.stderr).toBe('');
  return ran.stdout.split('\0').slice(0, -1);
}

/** Text without control characters and without a leading '-' (what the command accepts). */
const word = fc
  .string({ minLength: 1, maxLength: 20 })
  .filter(text => !hasControlCharacter(text) && !text.startsWith('-'));
const bindPath = fc
  .string({ minLength: 1, maxLength: 12 })
  .filter(text => !hasControlCharacter(text) && !/[,:]/.test(text))
  .map(text => `/${text}`);

describe('the ondemand script in bash', () => {
  it('finds the engine on PATH and passes image, binds and arguments through unchanged', () => {
    fc.assert(
      fc.property(
        word,
        fc.array(bindPath, { maxLength: 3 }),
        fc.array(
          fc.string({ maxLength: 10 }).filter(t => !t.includes('\0')),
          { maxLength: 3 }
        ),
        (image, binds, args) => {
          const bindArgs = binds.flatMap(bind => ['-B', bind]);
          const argv = engineArgv(
            [`/images/${image}`, ...bindArgs, '--no-gpu'],
            args
          );
          const expected = [
            'exec',
            ...(binds.length ? ['-B', binds.join(',')] : []),
            `/images/${image}`,
            'jupyter',
            ...args
          ];
          expect(argv).toEqual(expected);
        }
      ),
      { numRuns: 25 }
    );
  });

  it("gives podman the session's home and working directory", () => {
    const argv = engineArgv(
      ['localhost/ml-base:1', '--engine', 'podman'],
      ['lab']
    );
    expect(argv).toEqual([
      'run',
      '--rm',
      '--network=host',
      '--userns=keep-id',
      '-v',
      '/home/someone:/home/someone',
      '-w',
      fs.realpathSync(scratch.dir),
      '-e',
      'HOME=/home/someone',
      'localhost/ml-base:1',
      'jupyter',
      'lab'
    ]);
  });
});
