/**
 * The env plan (`mlc env install-scripts --plan`): written into a base at
 * "image build" (root, base writable), then used by `mlc env create` run as
 * the unprivileged test user against the root-owned base. It makes the env
 * the walk makes, with conda-meta records cut to the paths the env has; a
 * real conda installer (py-rattler) still upgrades and removes a base
 * package in such an env; a stale or hostile plan is never used.
 */
import * as fs from 'fs';
import type { IEnvCreateResult } from '../../src/core/envRecord';
import { runCommand, runMlc } from '../harness/mlc';
import {
  copyBase,
  mlcAsUser,
  resultData,
  runAsUser,
  treeChecksum,
  useEnvFixture,
  userDir,
  type IUserPlaces
} from '../harness/unprivilegedBase';
import { condaInstallerArgs, RATTLER_PYTHON } from '../harness/condaInstaller';

const PLAN = 'share/jupyterlab-ml-containers/env-plan.json';

const fixture = useEnvFixture('env-plan');
let places: IUserPlaces;
let envs: string;
let work: string;
/** Root-owned bases: with a plan, the same without one, and one for hand-made plans. */
let planned: string;
let plain: string;
let python: string;
const sums = new Map<string, string>();

beforeAll(() => {
  ({ places, python } = fixture);
  envs = userDir(`${fixture.scratch}/envs`);
  work = userDir(`${fixture.scratch}/rattler`);
  planned = copyBase(fixture.base, `${fixture.scratch}/planned`);
  // A base conda package with a tool in bin/ (mirrored) and data in share/ (not).
  Private.rattler(
    planned,
    `${fixture.scratch}/root-rattler`,
    'install',
    '1.0',
    {}
  );
  plain = copyBase(planned, `${fixture.scratch}/plain`);
  const wrote = runMlc([
    'env',
    'install-scripts',
    '--dir',
    `${fixture.scratch}`,
    '--base',
    planned,
    '--plan',
    '--json'
  ]);
  expect(wrote.stderr).toBe('');
  expect(wrote.code).toBe(0);
  expect(resultData<{ plan: string }>(wrote).plan).toBe(`${planned}/${PLAN}`);
  for (const base of [planned, plain]) {
    sums.set(base, treeChecksum(base));
  }
}, 600000);

afterEach(() => {
  // The bases are never written by create or by the installers in the env.
  for (const [base, sum] of sums) {
    expect(treeChecksum(base)).toBe(sum);
  }
});

function create(
  name: string,
  base: string
): { env: string; result: IEnvCreateResult } {
  const env = `${envs}/${name}`;
  const run = mlcAsUser(
    ['env', 'create', env, '--base', base, '--no-kernel', '--json'],
    places
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return { env, result: resultData<IEnvCreateResult>(run) };
}

describe('the env plan', () => {
  it('makes the env the walk makes, with records cut to the paths the env has', () => {
    const fromPlan = create('from-plan', planned);
    const fromWalk = create('from-walk', plain);
    expect(Private.layout(fromPlan.env)).toEqual(Private.layout(fromWalk.env));
    expect(fromPlan.result.mirrored).toEqual(fromWalk.result.mirrored);

    const records = fs
      .readdirSync(`${planned}/conda-meta`)
      .filter(file => file.endsWith('.json'));
    expect(records.length).toBeGreaterThan(3);
    let cutBytes = 0;
    let baseBytes = 0;
    for (const file of records) {
      const original = JSON.parse(
        fs.readFileSync(`${planned}/conda-meta/${file}`, 'utf-8')
      );
      const text = fs.readFileSync(
        `${fromPlan.env}/conda-meta/${file}`,
        'utf-8'
      );
      expect(fs.lstatSync(`${fromPlan.env}/conda-meta/${file}`).isFile()).toBe(
        true
      );
      const cut = JSON.parse(text);
      // Exactly the listed paths the env has (mirrored or its own interpreter links), in the base's order; every other field as it was.
      const kept = (original.files as string[]).filter(rel =>
        Private.isFileOrLink(`${fromPlan.env}/${rel}`)
      );
      expect(cut.files).toEqual(kept);
      expect(
        cut.paths_data.paths.map((entry: { _path: string }) => entry._path)
      ).toEqual(kept);
      expect({ ...cut, files: null, paths_data: null }).toEqual({
        ...original,
        files: null,
        paths_data: null
      });
      // The walk's env holds the whole records.
      expect(
        fs.readFileSync(`${fromWalk.env}/conda-meta/${file}`, 'utf-8')
      ).toBe(fs.readFileSync(`${planned}/conda-meta/${file}`, 'utf-8'));
      cutBytes += text.length;
      baseBytes += fs.statSync(`${planned}/conda-meta/${file}`).size;
    }
    expect(cutBytes).toBeLessThan(baseBytes);
    const basetool = records.find(file =>
      file.startsWith('mlc-basetool-1.0-')
    ) as string;
    expect(
      JSON.parse(
        fs.readFileSync(`${fromPlan.env}/conda-meta/${basetool}`, 'utf-8')
      ).files
    ).toEqual(['bin/mlc-basetool']);

    const prefix = runAsUser(
      `${fromPlan.env}/bin/python`,
      ['-c', 'import sys, ipykernel; print(sys.prefix)'],
      places
    );
    expect(prefix.stdout.trim()).toBe(fromPlan.env);
    expect(
      runAsUser(`${fromPlan.env}/bin/mlc-basetool`, [], places).stdout.trim()
    ).toBe('basetool 1.0');
  });

  it('lets a conda installer (py-rattler) upgrade a base package in the env', () => {
    const { env } = create('upgrade', planned);
    Private.rattler(env, work, 'upgrade', '2.0', { asUser: true });
    expect(fs.lstatSync(`${env}/bin/mlc-basetool`).isFile()).toBe(true);
    expect(runAsUser(`${env}/bin/mlc-basetool`, [], places).stdout.trim()).toBe(
      'basetool 2.0'
    );
    const names = fs
      .readdirSync(`${env}/conda-meta`)
      .filter(file => file.startsWith('mlc-basetool-'));
    expect(names).toEqual([expect.stringMatching(/^mlc-basetool-2\.0-/)]);
    expect(runCommand(`${planned}/bin/mlc-basetool`, []).stdout.trim()).toBe(
      'basetool 1.0'
    );
  });

  it('lets a conda installer (py-rattler) remove a base package from the env', () => {
    const { env } = create('remove', planned);
    Private.rattler(env, work, 'remove', '1.0', { asUser: true });
    expect(
      fs.lstatSync(`${env}/bin/mlc-basetool`, { throwIfNoEntry: false })
    ).toBeUndefined();
    expect(
      fs
        .readdirSync(`${env}/conda-meta`)
        .filter(file => file.startsWith('mlc-basetool-'))
    ).toEqual([]);
    // The rest of the env is untouched: python still runs on the base.
    expect(
      runAsUser(
        `${env}/bin/python`,
        ['-c', 'import sys; print(sys.prefix)'],
        places
      ).stdout.trim()
    ).toBe(env);
    expect(fs.existsSync(`${planned}/bin/mlc-basetool`)).toBe(true);
  });

  it('is not used once the base changed after it was written', () => {
    const changed = copyBase(planned, `${fixture.scratch}/changed`);
    fs.writeFileSync(`${changed}/bin/added-later`, '#!/bin/sh\n', {
      mode: 0o755
    });
    const { env } = create('stale', changed);
    expect(fs.readlinkSync(`${env}/bin/added-later`)).toBe(
      '../baseEnv_dir/bin/added-later'
    );
    const record = fs
      .readdirSync(`${changed}/conda-meta`)
      .find(file => file.startsWith('python-')) as string;
    expect(fs.readFileSync(`${env}/conda-meta/${record}`, 'utf-8')).toBe(
      fs.readFileSync(`${changed}/conda-meta/${record}`, 'utf-8')
    );
  });

  it('is never used when it is hostile, and nothing lands outside the env', () => {
    const hostile = copyBase(planned, `${fixture.scratch}/hostile`);
    const good = JSON.parse(fs.readFileSync(`${planned}/${PLAN}`, 'utf-8'));
    const outside = `${fixture.scratch}/outside`;
    const variants: [string, (plan: typeof good) => void][] = [
      ['a directory climbing out', plan => plan.dirs.push('../../outside')],
      ['an absolute directory', plan => plan.dirs.push(outside)],
      ['a link climbing out', plan => plan.links.push(['../outside', 'x'])],
      [
        'a link text leaving the env',
        plan => plan.links.push(['bin/escape', '../../outside'])
      ],
      [
        'an absolute link text',
        plan => plan.links.push(['bin/escape', '/etc/passwd'])
      ],
      [
        'a link through the base link then up',
        plan => plan.links.push(['bin/escape', '../baseEnv_dir/../outside'])
      ],
      [
        'a link in a directory it does not make',
        plan => plan.links.push(['nowhere/escape', 'x'])
      ],
      [
        'a path the env writes itself',
        plan => plan.dirs.push(`lib/python${python}`)
      ],
      [
        'a record name with a slash',
        plan => plan.records.push(['../../outside.json', '{}'])
      ],
      [
        'a hidden record name',
        plan => plan.records.push(['.x-1-0.json', '{}'])
      ],
      ['a wrong shape', plan => (plan.links = 'bin/x')],
      ['another Python', plan => (plan.python = '2.7')]
    ];
    variants.forEach(([what, spoil], i) => {
      const plan = JSON.parse(JSON.stringify(good));
      spoil(plan);
      fs.writeFileSync(`${hostile}/${PLAN}`, JSON.stringify(plan));
      const { env } = create(`hostile-${i}`, hostile);
      // Made by the walk: whole records, and nothing outside.
      const record = fs
        .readdirSync(`${hostile}/conda-meta`)
        .find(file => file.startsWith('python-')) as string;
      expect([
        what,
        fs.readFileSync(`${env}/conda-meta/${record}`, 'utf-8')
      ]).toEqual([
        what,
        fs.readFileSync(`${hostile}/conda-meta/${record}`, 'utf-8')
      ]);
      expect([
        what,
        fs.existsSync(outside),
        fs.existsSync(`${envs}/outside`),
        fs.existsSync(`${env}/bin/escape`)
      ]).toEqual([what, false, false, false]);
    });
  });

  it('is refused in one line where the base cannot be written (not an image build)', () => {
    const dir = userDir(`${fixture.scratch}/user-scripts`);
    const run = mlcAsUser(
      ['env', 'install-scripts', '--dir', dir, '--base', plain, '--plan'],
      places
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr.split('\n')).toEqual([
      expect.stringMatching(
        /^mlc: error: permission denied while writing .*env-plan\.json.*--plan/
      ),
      ''
    ]);
    expect(fs.existsSync(`${plain}/${PLAN}`)).toBe(false);
  });
});

namespace Private {
  /** Directories and links (with their texts) of an env, its own files aside. */
  export function layout(env: string): string[] {
    const found: string[] = [];
    const walk = (rel: string): void => {
      for (const entry of fs.readdirSync(rel ? `${env}/${rel}` : env, {
        withFileTypes: true
      })) {
        const child = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          found.push(`${child}/`);
          walk(child);
        } else if (entry.isSymbolicLink()) {
          const target = fs.readlinkSync(`${env}/${child}`);
          found.push(
            `${child} -> ${child === 'baseEnv_dir' ? '(base)' : target}`
          );
        }
      }
    };
    walk('');
    return found.sort();
  }

  export function isFileOrLink(file: string): boolean {
    const stat = fs.lstatSync(file, { throwIfNoEntry: false });
    return stat !== undefined && !stat.isDirectory();
  }

  /**
   * py-rattler on `prefix`: `install` or `upgrade` to `version` of
   * mlc-basetool (built into a local channel), or `remove` it; as root or
   * as the test user.
   */
  export function rattler(
    prefix: string,
    workDir: string,
    action: 'install' | 'upgrade' | 'remove',
    version: string,
    options: { asUser?: boolean }
  ): void {
    fs.mkdirSync(workDir, { recursive: true });
    const args = condaInstallerArgs({
      prefix,
      workDir,
      python,
      action,
      name: 'mlc-basetool',
      version,
      message: `basetool ${version}`
    });
    const run = options.asUser
      ? runAsUser(RATTLER_PYTHON, args, places, { timeoutMs: 300000 })
      : runCommand(RATTLER_PYTHON, args, { timeoutMs: 300000 });
    expect({ action, code: run.code, stderr: run.stderr }).toEqual({
      action,
      code: 0,
      stderr: expect.not.stringMatching(/Traceback|panicked/)
    });
  }
}
