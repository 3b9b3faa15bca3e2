/**
 * `mlc env create` under bad input and bad luck: one clear line, a non-zero
 * exit and nothing left behind for bad input; one env and one clear error
 * for two concurrent creates; no partial env after a full disk or a kill.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import type { IEnvCreateResult } from '../../src/core/envRecord';
import { MLC_BUNDLE } from '../harness/paths';
import { runCommand } from '../harness/mlc';
import { testUser } from '../harness/user';
import {
  mlcAsUser,
  resultData,
  useEnvFixture,
  userDir,
  type IUserPlaces
} from '../harness/unprivilegedBase';

const fixture = useEnvFixture('env-safety');
let base: string;
let places: IUserPlaces;
let parent: string;

beforeAll(() => {
  ({ base, places } = fixture);
  parent = userDir(`${fixture.scratch}/envs`);
});

/** Everything below `dir`, hidden entries included (a leftover temporary would show). */
function listing(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}

function kernels(): string[] {
  return fs.existsSync(`${places.data}/kernels`)
    ? fs.readdirSync(`${places.data}/kernels`)
    : [];
}

describe('bad input: one line, non-zero exit, nothing left behind', () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    [
      'a newline in the name',
      () => [`${parent}/bad\nname`],
      /invalid env path: the path contains a newline/
    ],
    [
      'the root directory',
      () => ['/'],
      /the env path is the root directory \//
    ],
    [
      'a target inside the base',
      () => [`${base}/lib/myenv`],
      /is inside the base/
    ],
    [
      'a target that contains the base',
      () => [base.slice(0, base.lastIndexOf('/'))],
      /contains the base|not empty/
    ],
    [
      'an existing non-empty directory',
      () => [`${parent}/full`],
      /already exists and is not empty/
    ],
    [
      'an existing file',
      () => [`${parent}/file`],
      /already exists and is not a directory/
    ],
    [
      'a parent that is a file',
      () => [`${parent}/file/sub/env`],
      /file is not a directory; choose another location/
    ],
    [
      'missing parents inside the base',
      () => [`${base}/no/such/env`],
      /is inside the base/
    ],
    [
      'a name longer than 255 bytes',
      () => [`${parent}/${'€'.repeat(90)}`],
      /longer than 255 bytes/
    ],
    [
      'a display name with a newline',
      () => [`${parent}/ok`, '--display-name', 'two\nlines'],
      /invalid --display-name/
    ],
    [
      'a missing base',
      () => [`${parent}/ok`, '--base', `${fixture.scratch}/nowhere`],
      /does not exist; pass --base/
    ],
    [
      'a base that is a venv',
      () => [`${parent}/ok`, '--base', `${fixture.scratch}/venv`],
      /is a Python virtual env/
    ],
    [
      '--bind without container mode',
      () => [`${parent}/ok`, '--bind', '/x'],
      /--bind is only for container mode/
    ]
  ];

  beforeAll(() => {
    fs.mkdirSync(`${parent}/full`);
    fs.writeFileSync(`${parent}/full/keep`, 'x');
    fs.writeFileSync(`${parent}/file`, 'x');
    fs.mkdirSync(`${fixture.scratch}/venv/bin`, { recursive: true });
    fs.writeFileSync(`${fixture.scratch}/venv/pyvenv.cfg`, 'home = /usr/bin\n');
  });

  it.each(cases)('%s', (_label, args, message) => {
    const before = listing(parent);
    const argv = args();
    const withBase = argv.includes('--base') ? argv : [...argv, '--base', base];
    const run = mlcAsUser(['env', 'create', ...withBase], places);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mlc: error: /);
    expect(lines[0]).toMatch(message);
    expect(listing(parent)).toEqual(before);
    expect(kernels()).toEqual([]);
  });

  it('without --base, MLC_INSTALL_PREFIX or CONDA_PREFIX: asks for --base', () => {
    const run = mlcAsUser(['env', 'create', `${parent}/ok`], places);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      "mlc: error: no base env to extend: mlc is not installed in an image env and no conda env is active; pass --base the image's Python prefix (e.g. /opt/conda)"
    );
    // The active conda env is the fallback base.
    const fromConda = mlcAsUser(
      ['env', 'create', `${parent}/fromConda`, '--no-kernel', '--json'],
      places,
      { env: { CONDA_PREFIX: base } }
    );
    expect(resultData<IEnvCreateResult>(fromConda).basePrefix).toBe(base);
  });

  it('an unwritable Jupyter data directory: the env is taken back, nothing left behind', () => {
    const locked = `${fixture.scratch}/locked-data`;
    fs.mkdirSync(locked, { mode: 0o555 });
    const before = listing(parent);
    const run = mlcAsUser(
      ['env', 'create', `${parent}/late`, '--base', base],
      places,
      { env: { JUPYTER_DATA_DIR: locked } }
    );
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `mlc: error: permission denied while registering the kernel in ${locked}/kernels; make that directory writable (or set JUPYTER_DATA_DIR), or pass --no-kernel`
    );
    expect(listing(parent)).toEqual(before);
    expect(fs.readdirSync(locked)).toEqual([]);
  });

  it('resolves .. and keeps spaces, quotes and non-ASCII as they are', () => {
    const run = mlcAsUser(
      [
        'env',
        'create',
        "sub/../it's ünï ; env",
        '--base',
        base,
        '--no-kernel',
        '--json'
      ],
      places,
      { cwd: parent }
    );
    expect(run.code).toBe(0);
    expect(resultData<IEnvCreateResult>(run).prefix).toBe(
      `${parent}/it's ünï ; env`
    );
    expect(fs.existsSync(`${parent}/it's ünï ; env/bin/python`)).toBe(true);
  });
});

describe('concurrency, full disk, kill', () => {
  it('two concurrent creates of one target: one env, one clear error', async () => {
    const target = `${parent}/race`;
    const user = testUser();
    const start = (): Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }> =>
      new Promise(resolve => {
        const child = spawn(
          process.execPath,
          [MLC_BUNDLE, 'env', 'create', target, '--base', base, '--json'],
          {
            uid: user.uid,
            gid: user.gid,
            env: { ...process.env, ...places.env }
          }
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', chunk => (stdout += chunk));
        child.stderr.on('data', chunk => (stderr += chunk));
        child.on('close', code => resolve({ code, stdout, stderr }));
      });
    const runs = await Promise.all([start(), start()]);
    const winners = runs.filter(run => run.code === 0);
    const losers = runs.filter(run => run.code !== 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0].stdout).toMatch(
      /"type":"error".*already exists and is not empty/
    );
    expect(
      resultData<IEnvCreateResult>({
        code: 0,
        stdout: winners[0].stdout,
        stderr: winners[0].stderr
      }).prefix
    ).toBe(target);
    expect(fs.existsSync(`${target}/.mlc-env.json`)).toBe(true);
    expect(
      fs.readdirSync(parent).filter(name => name.startsWith('.mlc-tmp'))
    ).toEqual([]);
    expect(kernels().filter(name => name.includes('race'))).toHaveLength(1);
  });

  it('a full disk leaves no partial env; a later create there succeeds', () => {
    const mount = `${fixture.scratch}/small`;
    fs.mkdirSync(mount);
    // Few inodes: the create runs out of them halfway, as on a full disk.
    const mounted = runCommand('mount', [
      '-t',
      'tmpfs',
      '-o',
      'size=2m,nr_inodes=25,mode=0755',
      'mlc-test-full',
      mount
    ]);
    expect(mounted.stderr).toBe('');
    try {
      const user = testUser();
      fs.chownSync(mount, user.uid, user.gid);
      const run = mlcAsUser(
        ['env', 'create', `${mount}/env`, '--base', base, '--no-kernel'],
        places
      );
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(
        `mlc: error: no space left on the device while creating the env ${mount}/env; free some space or choose another location`
      );
      expect(fs.readdirSync(mount)).toEqual([]);
      expect(
        runCommand('mount', ['-o', 'remount,nr_inodes=100000', mount]).code
      ).toBe(0);
      const again = mlcAsUser(
        ['env', 'create', `${mount}/env`, '--base', base, '--no-kernel'],
        places
      );
      expect(again.code).toBe(0);
      expect(fs.readdirSync(mount)).toEqual(['env']);
    } finally {
      runCommand('umount', [mount]);
    }
  });

  it('a create killed midway leaves no env; the next create cleans up and succeeds', () => {
    const target = `${parent}/killed`;
    const user = testUser();
    let killedMidway = false;
    // Kill (SIGKILL) as soon as the temporary sibling appears; if a run
    // finishes first (a very fast disk), remove its env and try again.
    for (let attempt = 0; attempt < 5 && !killedMidway; attempt++) {
      const child = spawn(
        process.execPath,
        [MLC_BUNDLE, 'env', 'create', target, '--base', base, '--no-kernel'],
        {
          uid: user.uid,
          gid: user.gid,
          env: { ...process.env, ...places.env },
          stdio: 'ignore'
        }
      );
      // Poll: the temporary appears within the first milliseconds of the
      // create. Bounded: this loop blocks the event loop, so `exitCode` never
      // changes while it runs, and a create that finished before a poll saw
      // its temporary would be waited for for ever.
      const until = Date.now() + 10000;
      while (
        Date.now() < until &&
        !fs.readdirSync(parent).some(name => name.startsWith('.mlc-tmp.'))
      ) {
        // polling
      }
      child.kill('SIGKILL');
      runCommand('sleep', ['0.2']);
      killedMidway = !fs.existsSync(target);
      if (!killedMidway) {
        fs.rmSync(target, { recursive: true, force: true });
      }
    }
    expect(killedMidway).toBe(true);
    expect(
      fs.readdirSync(parent).filter(name => name.startsWith('.mlc-tmp.'))
    ).toHaveLength(1);
    const again = mlcAsUser(
      ['env', 'create', target, '--base', base, '--no-kernel'],
      places
    );
    expect(again.code).toBe(0);
    expect(
      fs.readdirSync(parent).filter(name => name.startsWith('.mlc-tmp.'))
    ).toEqual([]);
    expect(fs.existsSync(`${target}/.mlc-env.json`)).toBe(true);
  });
});
