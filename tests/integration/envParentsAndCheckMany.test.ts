/**
 * Issue 8 item 5: `mlc env create` makes missing parent directories (never
 * inside the base, and takes them back when the create fails); item 6:
 * `mlc env check` takes several envs or --all, one result per env and a
 * summary, exit 1 when a problem is left anywhere.
 */
import * as fs from 'fs';
import type {
  IEnvCheckResult,
  IEnvCheckSummary,
  IEnvCreateResult
} from '../../src/core/envRecord';
import {
  mlcAsUser,
  resultData,
  useEnvFixture,
  userDir,
  type IUserPlaces
} from '../harness/unprivilegedBase';
import type { IRunResult } from '../harness/mlc';

const fixture = useEnvFixture('env-parents');
let base: string;
let places: IUserPlaces;
let envs: string;

beforeAll(() => {
  ({ base, places } = fixture);
  envs = userDir(`${fixture.scratch}/envs`);
});

function results<T>(run: IRunResult, command: string): T[] {
  return run.stdout
    .split('\n')
    .filter(line => line.includes('"type":"result"'))
    .map(line => JSON.parse(line) as { command: string; data: T })
    .filter(event => event.command === command)
    .map(event => event.data);
}

describe('env create makes missing parents', () => {
  it('creates ~/envs/first when ~/envs does not exist', () => {
    const target = `${envs}/new/deeper/first`;
    const run = mlcAsUser(
      ['env', 'create', target, '--base', base, '--no-kernel', '--json'],
      places
    );
    expect(run.code).toBe(0);
    expect(resultData<IEnvCreateResult>(run).prefix).toBe(target);
    expect(fs.existsSync(`${target}/bin/python`)).toBe(true);
  });

  it('removes the parents it made when the create fails, and keeps those that were there', () => {
    const locked = userDir(`${fixture.scratch}/locked-data-${process.pid}`);
    fs.chmodSync(locked, 0o555);
    const run = mlcAsUser(
      ['env', 'create', `${envs}/gone/again/env`, '--base', base],
      places,
      { env: { JUPYTER_DATA_DIR: locked } }
    );
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(`${envs}/gone`)).toBe(false);
    expect(fs.existsSync(envs)).toBe(true);
  });

  it('still refuses a non-empty target', () => {
    fs.mkdirSync(`${envs}/full/x`, { recursive: true });
    const run = mlcAsUser(
      ['env', 'create', `${envs}/full`, '--base', base, '--no-kernel'],
      places
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/already exists and is not empty/);
  });
});

describe('env check with several envs or --all', () => {
  it('one result per env, a summary, and exit 1 when any env has a problem', () => {
    const good = resultData<IEnvCreateResult>(
      mlcAsUser(
        ['env', 'create', `${envs}/good`, '--base', base, '--json'],
        places
      )
    );
    const lost = resultData<IEnvCreateResult>(
      mlcAsUser(
        ['env', 'create', `${envs}/lost`, '--base', base, '--json'],
        places
      )
    );
    fs.rmSync(`${places.data}/kernels/${lost.kernelName}`, { recursive: true });
    const run = mlcAsUser(
      [
        'env',
        'check',
        good.prefix,
        lost.prefix,
        `${envs}/nothing-here`,
        '--json'
      ],
      places
    );
    expect(run.code).toBe(1);
    const each = results<IEnvCheckResult>(run, 'env check');
    expect(each.map(result => result.prefix)).toEqual([
      good.prefix,
      lost.prefix,
      `${envs}/nothing-here`
    ]);
    expect(
      each.map(result => result.problems.map(problem => problem.code))
    ).toEqual([[], ['kernel-missing'], ['not-checked']]);
    const [summary] = results<IEnvCheckSummary>(run, 'env check-summary');
    expect(summary.envs).toEqual(each);

    const fixed = mlcAsUser(
      ['env', 'check', '--all', '--fix', '--json'],
      places
    );
    expect(fixed.code).toBe(0);
    const fixedEach = results<IEnvCheckResult>(fixed, 'env check');
    // --all: the envs `env list` shows: `good` by its kernel, `lost` beside
    // it as an env whose kernel is missing; --fix registers that kernel.
    expect(fixedEach.map(result => result.prefix)).toEqual([
      good.prefix,
      lost.prefix
    ]);
    expect(fixedEach[1].fixed.map(problem => problem.code)).toEqual([
      'kernel-missing'
    ]);
    const both = mlcAsUser(
      ['env', 'check', good.prefix, lost.prefix, '--fix', '--json'],
      places
    );
    expect(both.code).toBe(0);
    const all = mlcAsUser(['env', 'check', '--all', '--json'], places);
    expect(all.code).toBe(0);
    expect(
      results<IEnvCheckSummary>(all, 'env check-summary')[0]
        .envs.map(result => result.prefix)
        .sort()
    ).toEqual([good.prefix, lost.prefix].sort());
  });

  it('--all --dir: also the envs in that directory, kernel or not, as env list --dir', () => {
    const elsewhere = userDir(`${fixture.scratch}/elsewhere`);
    const loose = resultData<IEnvCreateResult>(
      mlcAsUser(
        [
          'env',
          'create',
          `${elsewhere}/loose`,
          '--base',
          base,
          '--no-kernel',
          '--json'
        ],
        places
      )
    );
    const prefixesOf = (args: string[]): string[] =>
      results<IEnvCheckSummary>(
        mlcAsUser(['env', 'check', '--all', ...args, '--json'], places),
        'env check-summary'
      )[0].envs.map(result => result.prefix);
    expect(prefixesOf([])).not.toContain(loose.prefix);
    expect(prefixesOf(['--dir', elsewhere])).toContain(loose.prefix);
  });

  it('refuses paths together with --all, no env at all, and --dir without --all, in one line', () => {
    for (const args of [['--all', `${envs}/good`], [], ['--dir', envs]]) {
      const run = mlcAsUser(['env', 'check', ...args], places);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
