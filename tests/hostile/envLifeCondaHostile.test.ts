/**
 * `mlc env install/uninstall --conda` against hostile input, as the
 * unprivileged user: specs and channels that look like options or carry
 * shell text; an image whose conda installer answers garbage, a huge
 * answer, a hostile package name or channel, hangs, or is a link out of the
 * image; a kill during a conda install. Each gives one clear line, a
 * bounded run, the env unchanged (or restorable, and `env check` says
 * which) and the image unchanged (its checksum compared in every test).
 */
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import type { IEnvInstallResult } from '../../src/core/envLife';
import type { IEnvCheckResult, IEnvListResult } from '../../src/core/envRecord';
import { shQuote } from '../../src/core/quote';
import { RATTLER_PYTHON } from '../harness/condaInstaller';
import { mlcAsUserAsync, untilGone, whenPending } from '../harness/changeRuns';
import { condaInstallArgs, useCondaImage } from '../harness/condaImage';
import { installMicromambaStandIn } from '../harness/micromambaStandIn';
import { processesMentioning } from '../harness/processes';
import {
  mlcAsUser,
  onlyErrorLine as errorLine,
  resultData,
  treeChecksum,
  type IUserPlaces
} from '../harness/unprivilegedBase';

const setup = useCondaImage('env-life-conda-hostile', [
  { name: 'mlc-conda-a', version: '1.0' }
]);
const fixture = setup.fixture;
let places: IUserPlaces;
let image: string;
let channel: string;
let env: string;
/** The image's checksum with its current bin/micromamba (set by setInstaller). */
let imageSum = '';

beforeAll(() => {
  places = fixture.places;
  ({ image, channel } = setup);
  env = `${setup.envs}/target`;
  // The stand-in as installed, for the test that links to a copy of it.
  fs.copyFileSync(
    `${image}/bin/micromamba`,
    `${fixture.scratch}/micromamba-real`
  );
  imageSum = treeChecksum(image);
  const run = mlc(['env', 'create', env, '--base', image, '--no-kernel']);
  expect(run.code).toBe(0);
  expect(reportedInstaller()).toEqual({
    list: 'micromamba',
    check: 'micromamba'
  });
}, 600000);

afterEach(() => {
  expect(treeChecksum(image)).toBe(imageSum);
});

function mlc(args: string[], extra: NodeJS.ProcessEnv = {}) {
  // --json first: after a `--` it would be a spec.
  return mlcAsUser(['--json', ...args], places, {
    env: extra,
    timeoutMs: 120000
  });
}

/** Replace the image's bin/micromamba (as root, the image's owner) with an sh script. */
function setInstaller(script: string): void {
  const program = `${image}/bin/micromamba`;
  fs.rmSync(program, { force: true });
  fs.writeFileSync(program, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  imageSum = treeChecksum(image);
}

/** The args of `env install ENV --conda` of mlc-conda-a from the local channel. */
function installA(flags: string[] = []): string[] {
  return condaInstallArgs(env, channel, ['mlc-conda-a'], flags);
}

/** The conda installer `env list` and `env check` report for the env's base. */
function reportedInstaller(): { list: unknown; check: unknown } {
  const listed = resultData<IEnvListResult>(
    mlc(['env', 'list', '--dir', env.slice(0, env.lastIndexOf('/'))])
  ).envs.find(summary => summary.prefix === env);
  const checked = resultData<IEnvCheckResult>(mlc(['env', 'check', env]));
  return { list: listed?.condaInstaller, check: checked.condaInstaller };
}

/** The env's state a failed change must leave as it was (the kept log aside). */
function envSum(): string {
  fs.rmSync(`${env}/.mlc-install.log`, { force: true });
  return treeChecksum(env);
}

describe('hostile specs and channels', () => {
  beforeAll(() => {
    // An installer that must never run for these: it would leave a mark.
    setInstaller(`touch ${shQuote(`${fixture.scratch}/ran`, 'always')}`);
  });

  it.each([
    ['an option', ['--offline']],
    ['a short option', ['-c']],
    ['an option with a value', ['--prefix=/tmp']],
    ['a channel prefix', ['conda-forge::numpy']],
    ['shell text', ['$(touch /tmp/mlc-pwned)']],
    ['a space', ['numpy 1.0']],
    ['a path', ['../../etc/passwd']]
  ])(
    'refuses a spec that is %s, in one line, running nothing',
    (_label, specs) => {
      const before = envSum();
      const run = mlc(['env', 'install', env, '--conda', '--', ...specs]);
      expect(run.code).toBe(2);
      expect(errorLine(run.stdout)).toMatch(
        /invalid conda spec|starts with '-' \(a spec is never an option\)/
      );
      expect(fs.existsSync(`${fixture.scratch}/ran`)).toBe(false);
      expect(envSum()).toBe(before);
    }
  );

  it.each([
    ['an option', '--offline'],
    ['shell text', '$(touch /tmp/mlc-pwned)'],
    ['a newline', 'conda-forge\n--offline'],
    ['a space', 'file:///tmp/a b'],
    ['a parent path', 'file:///tmp/../etc'],
    ['another scheme', 'javascript://x']
  ])(
    'refuses a channel that is %s, in one line, running nothing',
    (_label, value) => {
      const run = mlc([
        'env',
        'install',
        env,
        '--conda',
        `--channel=${value}`,
        '--',
        'mlc-conda-a'
      ]);
      expect(run.code).toBe(2);
      expect(errorLine(run.stdout)).toMatch(
        /invalid channel|starts with '-' \(a channel is never an option\)/
      );
      expect(fs.existsSync(`${fixture.scratch}/ran`)).toBe(false);
    }
  );

  it('refuses an uninstall name that is an option', () => {
    const run = mlc(['env', 'uninstall', env, '--conda', '--', '--all']);
    expect(run.code).toBe(2);
    expect(errorLine(run.stdout)).toContain(
      "invalid conda package name '--all'"
    );
    expect(fs.existsSync(`${fixture.scratch}/ran`)).toBe(false);
  });
});

describe('a lock file with hostile conda pins', () => {
  it.each([
    ['a channel that is an option', { channel: '-c /etc' }],
    ['a channel with shell text', { channel: '$(id)' }],
    ['a channel with a newline', { channel: 'conda-forge\n-y' }]
  ])('%s: refused in one line, no env made', (_label, hostile) => {
    const lockFile = `${fixture.scratch}/envs/hostile.lock.json`;
    const exported = mlc(['env', 'export', env, '-o', lockFile]);
    expect(exported.code).toBe(0);
    const lock = JSON.parse(fs.readFileSync(lockFile, 'utf-8')) as {
      conda: unknown[];
    };
    lock.conda = [
      { name: 'mlc-conda-a', version: '1.0', build: '0', ...hostile }
    ];
    fs.writeFileSync(lockFile, JSON.stringify(lock));
    const copy = `${fixture.scratch}/envs/from-hostile-lock`;
    const run = mlc([
      'env',
      'create',
      copy,
      '--base',
      image,
      '--no-kernel',
      '--from',
      lockFile
    ]);
    expect(run.code).toBe(2);
    expect(errorLine(run.stdout)).toMatch(
      /cannot be recreated: (invalid channel|channel .* starts with '-')/
    );
    expect(fs.existsSync(copy)).toBe(false);
  });
});

describe("an image's conda installer that answers badly", () => {
  const link = (entry: Record<string, unknown>) =>
    JSON.stringify({
      success: true,
      dry_run: true,
      actions: { LINK: [entry], PREFIX: '/x' }
    });
  it.each([
    ['garbage', "echo 'not json {{{ \\033[31m'", /could not be read/],
    ['no answer at all', 'exit 0', /printed no JSON answer/],
    [
      'a hostile package name',
      `echo ${shQuote(link({ name: '../../etc/passwd', version: '1', build_string: '0' }), 'always')}`,
      /not a valid name, version and build/
    ],
    [
      'a package name that is an option',
      `echo ${shQuote(link({ name: '--force', version: '1', build_string: '0' }), 'always')}`,
      /not a valid name, version and build/
    ],
    [
      'a hostile channel',
      `echo ${shQuote(link({ name: 'a', version: '1', build_string: '0', channel: '-c /etc' }), 'always')}`,
      /channel that is not a valid channel/
    ],
    [
      'a huge answer',
      'printf \'{"actions": {"LINK": [\'; yes \'{"name": "a", "version": "1", "build_string": "0"},\' | head -c 40000000; printf \']}}\'',
      /could not be read/
    ],
    [
      'an error',
      "echo 'critical libmamba nothing provides x' >&2; exit 1",
      /nothing provides x/
    ]
  ])('%s: one line, the env unchanged', (_label, script, message) => {
    setInstaller(script);
    const before = envSum();
    for (const dryRun of [['--dry-run'], []]) {
      const run = mlc(installA(dryRun));
      expect(run.code).toBe(1);
      expect(errorLine(run.stdout)).toMatch(message);
      expect(fs.existsSync(`${env}/.mlc-revisions/pending.json`)).toBe(false);
    }
    expect(envSum()).toBe(before);
  });

  it('an installer that hangs is stopped at the time bound, its processes ended', () => {
    const marker = `mlc-conda-hang-${process.pid}`;
    setInstaller(`exec sh -c 'sleep 1000; :' ${marker}`);
    const before = envSum();
    const run = mlc(installA(), { MLC_INSTALL_TIMEOUT: '2' });
    expect(run.code).toBe(1);
    expect(errorLine(run.stdout)).toMatch(/stopped \(timeout\)/);
    expect(processesMentioning(marker)).toEqual([]);
    expect(envSum()).toBe(before);
  });

  it('an installer that is a link out of the image is refused, not run', () => {
    const program = `${image}/bin/micromamba`;
    fs.rmSync(program, { force: true });
    fs.symlinkSync('/bin/true', program);
    imageSum = treeChecksum(image);
    const run = mlc(installA());
    expect(run.code).toBe(1);
    expect(errorLine(run.stdout)).toContain(
      'is not an executable file inside the image'
    );
    // What the dialogs are told: no installer they could offer.
    expect(reportedInstaller()).toEqual({ list: null, check: null });
  });

  it('an installer linked inside the image is what env list and env check report', () => {
    const program = `${image}/bin/micromamba`;
    fs.mkdirSync(`${image}/libexec`, { recursive: true });
    fs.copyFileSync(
      `${fixture.scratch}/micromamba-real`,
      `${image}/libexec/micromamba`
    );
    fs.chmodSync(`${image}/libexec/micromamba`, 0o755);
    fs.rmSync(program, { force: true });
    fs.symlinkSync('../libexec/micromamba', program);
    imageSum = treeChecksum(image);
    expect(reportedInstaller()).toEqual({
      list: 'micromamba',
      check: 'micromamba'
    });
    fs.rmSync(program);
    fs.rmSync(`${image}/libexec`, { recursive: true });
    imageSum = treeChecksum(image);
  });

  it('an image without a conda installer: one line', () => {
    fs.rmSync(`${image}/bin/micromamba`, { force: true });
    imageSum = treeChecksum(image);
    const run = mlc(['env', 'install', env, '--conda', '--', 'mlc-conda-a']);
    expect(run.code).toBe(1);
    expect(errorLine(run.stdout)).toContain('the image has no conda installer');
    expect(reportedInstaller()).toEqual({ list: null, check: null });
  });
});

describe('a kill during a conda install', () => {
  it('SIGKILL while the installer links: env check says unchanged or how to restore, and rollback restores', async () => {
    // The stand-in, slowed down before the real (not the dry) run.
    setInstaller(
      `case " $* " in *" --dry-run "*) ;; *) sleep 2 ;; esac\nexec ${shQuote(RATTLER_PYTHON, 'always')} ${shQuote(`${__dirname}/../harness/micromamba_standin.py`, 'always')} "$@"`
    );
    const run = await mlcAsync(installA(), child =>
      whenPending(env, () => child.kill('SIGKILL'), 500)
    );
    expect(run.code).toBe(-1);
    // The installer, in its own group, finishes (or not) by itself.
    await untilGone('micromamba_standin.py');
    const check = await mlcAsync(['env', 'check', env]);
    expect(check.code).toBe(1);
    const result = resultData<IEnvCheckResult>(check);
    expect(result.problems.map(p => p.code)).toEqual(['change-interrupted']);
    const problem = result.problems[0];
    const linked = fs.existsSync(`${env}/bin/mlc-conda-a`);
    if (linked) {
      expect(`${problem.message} ${problem.hint ?? ''}`).toContain(
        `mlc env rollback ${env} 1`
      );
      installMicromambaStandIn(image);
      imageSum = treeChecksum(image);
      const back = await mlcAsync(['env', 'rollback', env, '1']);
      expect(back.code).toBe(0);
      expect(fs.existsSync(`${env}/bin/mlc-conda-a`)).toBe(false);
    } else {
      expect(problem.message).toContain('the env is unchanged');
    }
  });
});

/** `mlc --json ARGS` as the test user without blocking jest's event loop. */
function mlcAsync(
  args: string[],
  started?: (child: ChildProcess) => void
): Promise<{ code: number; stdout: string; stderr: string }> {
  return mlcAsUserAsync(['--json', ...args], places, {}, started);
}

export type { IEnvInstallResult };
