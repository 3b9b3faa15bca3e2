/**
 * `mlc kernels doctor` against hostile kernel specs (issue 7, classes 6 and
 * 11): very long display names must not break any output mode, and names
 * with newlines, escapes or bidi overrides must not forge rows of the human
 * table; the JSON keeps the real values.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { IDoctorEntry } from '../../src/cli/kernels/doctor';
import type { IRunResult } from '../harness/mlc';
import { makeScratch, MLC_BUNDLE } from '../harness/paths';

const scratch = makeScratch('hostile-doctor');
let counter = 0;

afterAll(() => scratch.cleanup());

/** Nothing a terminal would act on: control, format, separator characters, lone surrogates (a newline ends a line). */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

describe('mlc kernels doctor with hostile specs', () => {
  it('reports very long display names in human and --json mode', () => {
    const home = makeHome();
    const long = 'L'.repeat(20_000_000);
    for (let i = 0; i < 30; i++) {
      plant(home, `k${i}`, {
        argv: ['/bin/sh'],
        display_name: i === 0 ? long : `K ${i}`
      });
    }
    const human = doctor(home, []);
    expect(human.stderr).toBe('');
    expect(human.code).toBe(0);
    const rows = human.stdout.split('\n');
    expect(rows.filter(row => / k\d+ /.test(row))).toHaveLength(30);
    // Elided: no line carries the whole name.
    expect(Math.max(...rows.map(row => row.length))).toBeLessThan(1000);

    const json = doctor(home, ['--json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const entries = resultOf(json);
    expect(entries.find(entry => entry.name === 'k0')?.displayName).toBe(long);
  });

  it('shows newlines, escapes and bidi overrides in names visibly, and keeps them in the JSON', () => {
    const home = makeHome();
    // No slash: it must stay one directory name.
    const forgedRow =
      '  python3  ok (image)  JUPYTER_PATH  ML-Python3  opt-conda-kernels-python3';
    const dirNames = [
      `evil\n${forgedRow}`,
      'rtl\u202egnp.exe',
      'iso\u2066x\u2069',
      'esc\u001b[2Jclear',
      'tab\there'
    ];
    for (const dir of dirNames) {
      plant(home, dir, {
        argv: ['/bin/sh'],
        display_name: `D\r\n${forgedRow}\u2028\u200f`
      });
    }
    const human = doctor(home, []);
    expect(human.code).toBe(0);
    for (const line of human.stdout.split('\n')) {
      expect(line).not.toMatch(INVISIBLE);
      expect(line).not.toMatch(/^ {2}python3 /);
    }
    expect(human.stdout).toContain('evil\\n  python3');
    expect(human.stdout).toContain('rtl\\u202Egnp.exe');
    expect(human.stdout).toContain('iso\\u2066x\\u2069');
    expect(human.stdout).toContain('esc\\u001B[2Jclear');
    expect(human.stdout).toContain('D\\r\\n');

    const names = resultOf(doctor(home, ['--json'])).map(entry => entry.name);
    expect(names).toEqual(
      expect.arrayContaining(dirNames.map(dir => dir.toLowerCase()))
    );
  });

  it('answers --json with events only when a spec cannot be read', () => {
    const home = makeHome();
    plant(home, 'bad', null);
    fs.writeFileSync(
      path.join(home, 'kernels', 'bad', 'kernel.json'),
      '{"argv": [' + '['.repeat(100_000)
    );
    const json = doctor(home, ['--json']);
    expect(json.code).toBe(0);
    const bad = resultOf(json).find(entry => entry.name === 'bad');
    expect(bad?.findings).toEqual(['invalid']);
  });

  it('finishes when the Jupyter env has a FIFO as pyvenv.cfg, and a huge one', () => {
    const home = makeHome();
    plant(home, 'ok', { argv: ['/bin/sh'], display_name: 'OK' });
    const fifoEnv = path.join(home, 'fifo-env');
    fs.mkdirSync(path.join(fifoEnv, 'bin'), { recursive: true });
    execFileSync('mkfifo', [path.join(fifoEnv, 'pyvenv.cfg')]);
    const hugeEnv = path.join(home, 'huge-env');
    fs.mkdirSync(path.join(hugeEnv, 'bin'), { recursive: true });
    fs.writeFileSync(
      path.join(hugeEnv, 'pyvenv.cfg'),
      '\n'.repeat(5_000_000) + 'home = /x\n'
    );
    for (const env of [fifoEnv, hugeEnv]) {
      const run = doctor(home, ['--json', '--jupyter-prefix', env]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(resultOf(run).map(entry => entry.name)).toContain('ok');
    }
  });
});

/** A home with its own Jupyter data dir, given as JUPYTER_PATH. */
function makeHome(): string {
  const home = path.join(scratch.dir, `home-${++counter}`);
  fs.mkdirSync(path.join(home, 'kernels'), { recursive: true });
  return home;
}

function plant(home: string, dir: string, spec: object | null): void {
  fs.mkdirSync(path.join(home, 'kernels', dir), { recursive: true });
  if (spec) {
    fs.writeFileSync(
      path.join(home, 'kernels', dir, 'kernel.json'),
      JSON.stringify(spec)
    );
  }
}

/** The doctor with only this home's specs to find (no jupyter on PATH). */
function doctor(home: string, args: string[]): IRunResult {
  const vars = [
    `HOME=${home}`,
    `JUPYTER_PATH=${home}`,
    `JUPYTER_DATA_DIR=${home}/data`,
    'PATH=/usr/bin:/bin'
  ];
  // Spawned here: the JSON of a 20 MB name is beyond the harness's default output buffer.
  const run = spawnSync(
    'env',
    ['-i', ...vars, process.execPath, MLC_BUNDLE, 'kernels', 'doctor', ...args],
    {
      timeout: 60000,
      maxBuffer: 256 * 1024 * 1024,
      encoding: 'utf-8'
    }
  );
  if (run.error) {
    throw run.error;
  }
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

function resultOf(run: IRunResult): IDoctorEntry[] {
  const events = run.stdout
    .trim()
    .split('\n')
    .map(line => JSON.parse(line));
  expect(events[events.length - 1]).toEqual({ type: 'end', exitCode: 0 });
  return events.find(event => event.type === 'result').data as IDoctorEntry[];
}
