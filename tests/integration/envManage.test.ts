/**
 * `mlc env list`, `check [--fix]` and `remove`, as the unprivileged user:
 * envs found by their kernels and in directories, a base that moved and a
 * base that changed (on root-owned copies of the base), a lost kernel, and
 * removal that never follows a link into the base.
 */
import * as fs from 'fs';
import type {
  IEnvCheckResult,
  IEnvCreateResult,
  IEnvListResult,
  IEnvRemoveResult
} from '../../src/core/envRecord';
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

const fixture = useEnvFixture('env-manage');
let base: string;
let python: string;
let places: IUserPlaces;
let envs: string;

beforeAll(() => {
  ({ base, python, places } = fixture);
  envs = userDir(`${fixture.scratch}/envs`);
});

function mlc<T>(args: string[], expectCode = 0): T {
  const run = mlcAsUser([...args, '--json'], places);
  expect(run.code).toBe(expectCode);
  return resultData<T>(run);
}

function codes(result: { problems: Array<{ code: string }> }): string[] {
  return result.problems.map(problem => problem.code).sort();
}

describe('mlc env list', () => {
  it('finds envs by their registered kernels and in --dir, with cheap checks', () => {
    const withKernel = mlc<IEnvCreateResult>([
      'env',
      'create',
      `${envs}/listed`,
      '--base',
      base
    ]);
    mlc<IEnvCreateResult>([
      'env',
      'create',
      `${envs}/quiet`,
      '--base',
      base,
      '--no-kernel'
    ]);
    const byKernel = mlc<IEnvListResult>(['env', 'list']);
    expect(
      byKernel.envs.map(env => [
        env.name,
        env.prefix,
        env.kernelName,
        env.problems
      ])
    ).toEqual([['listed', `${envs}/listed`, withKernel.kernelName, []]]);
    const withDir = mlc<IEnvListResult>(['env', 'list', '--dir', envs]);
    expect(withDir.envs.map(env => env.name)).toEqual(['listed', 'quiet']);
    const human = mlcAsUser(['env', 'list', '--dir', envs], places);
    expect(human.stdout).toContain(
      `quiet  ${envs}/quiet  (on ${base}; kernel: none)`
    );
  });
});

describe('mlc env check', () => {
  it('finds a healthy env healthy', () => {
    const result = mlc<IEnvCheckResult>(['env', 'check', `${envs}/listed`]);
    expect(result.problems).toEqual([]);
  });

  it('repairs an env whose base moved (--fix --base) and whose kernel was lost', () => {
    const baseA = copyBase(base, `${fixture.scratch}/baseA`);
    // An activation hook in the base, as conda packages ship them.
    fs.mkdirSync(`${baseA}/etc/conda/activate.d`, { recursive: true });
    fs.writeFileSync(
      `${baseA}/etc/conda/activate.d/probe.sh`,
      'export MLC_PROBE_HOME="$CONDA_PREFIX/share/probe"\n'
    );
    const env = `${envs}/moving`;
    const created = mlc<IEnvCreateResult>([
      'env',
      'create',
      env,
      '--base',
      baseA
    ]);
    const activated = runAsUser(
      'bash',
      ['-c', `source '${env}/setupMe-on-host.sh' && echo "$MLC_PROBE_HOME"`],
      places
    );
    expect(activated.stdout.trim()).toBe(`${env}/share/probe`);

    // The image moves (a new path on CVMFS), and the kernel is lost.
    const baseB = `${fixture.scratch}/baseB`;
    fs.renameSync(baseA, baseB);
    const sumB = treeChecksum(baseB);
    fs.rmSync(`${places.data}/kernels/${created.kernelName}`, {
      recursive: true
    });
    const broken = mlc<IEnvCheckResult>(['env', 'check', env], 1);
    expect(codes(broken)).toEqual(
      expect.arrayContaining([
        'base-missing',
        'dangling-links',
        'kernel-missing',
        'no-interpreter'
      ])
    );
    for (const problem of broken.problems) {
      expect(problem.hint).toMatch(
        /^(run: mlc env check|if the image moved, run: mlc env check)/
      );
    }

    const fixed = mlc<IEnvCheckResult>([
      'env',
      'check',
      env,
      '--fix',
      '--base',
      baseB
    ]);
    expect(fixed.problems).toEqual([]);
    expect(fixed.basePrefix).toBe(baseB);
    expect(fixed.fixed.map(problem => problem.code)).toEqual(
      expect.arrayContaining(['base-moved', 'dangling-links', 'kernel-missing'])
    );
    expect(treeChecksum(baseB)).toBe(sumB);
    expect(fs.readlinkSync(`${env}/baseEnv_dir`)).toBe(baseB);
    const prefixes = runAsUser(
      `${env}/bin/python`,
      ['-c', 'import sys; print(sys.prefix, sys.base_prefix)'],
      places
    );
    expect(prefixes.stdout.trim()).toBe(`${env} ${baseB}`);
    expect(fs.readFileSync(`${env}/setupMe-on-host.sh`, 'utf-8')).toContain(
      `_mlc_base='${baseB}'`
    );
    const kernel = JSON.parse(
      fs.readFileSync(
        `${places.data}/kernels/${created.kernelName}/kernel.json`,
        'utf-8'
      )
    );
    expect(kernel.argv[0]).toBe(`${env}/bin/python${python}`);
    expect(mlc<IEnvCheckResult>(['env', 'check', env]).problems).toEqual([]);
  });

  it("re-links after the base's files and packages changed, keeping the env's own", () => {
    const baseC = copyBase(base, `${fixture.scratch}/baseC`);
    const env = `${envs}/changing`;
    mlc<IEnvCreateResult>([
      'env',
      'create',
      env,
      '--base',
      baseC,
      '--no-kernel'
    ]);
    // The env installs a file of its own into a mirrored directory.
    fs.writeFileSync(`${env}/bin/own-tool`, '#!/bin/sh\n');
    // The image is updated: a tool goes, a tool and a package record come.
    fs.rmSync(`${baseC}/bin/pygmentize`);
    fs.writeFileSync(`${baseC}/bin/new-tool`, '#!/bin/sh\necho new\n', {
      mode: 0o755
    });
    const record = fs
      .readdirSync(`${baseC}/conda-meta`)
      .find(file => file.startsWith('libzlib-')) as string;
    fs.renameSync(
      `${baseC}/conda-meta/${record}`,
      `${baseC}/conda-meta/libzlib-9.9-h0_0.json`
    );
    const sumC = treeChecksum(baseC);

    const changed = mlc<IEnvCheckResult>(['env', 'check', env], 1);
    expect(codes(changed)).toEqual(['base-records', 'dangling-links']);
    const fixed = mlc<IEnvCheckResult>(['env', 'check', env, '--fix']);
    expect(fixed.problems).toEqual([]);
    expect(
      fs.lstatSync(`${env}/bin/pygmentize`, { throwIfNoEntry: false })
    ).toBeUndefined();
    expect(fs.readlinkSync(`${env}/bin/new-tool`)).toBe(
      '../baseEnv_dir/bin/new-tool'
    );
    expect(fs.readFileSync(`${env}/bin/own-tool`, 'utf-8')).toBe('#!/bin/sh\n');
    expect(fs.existsSync(`${env}/conda-meta/${record}`)).toBe(false);
    expect(fs.existsSync(`${env}/conda-meta/libzlib-9.9-h0_0.json`)).toBe(true);
    expect(treeChecksum(baseC)).toBe(sumC);
  });

  it('refuses what is not an env, in one line', () => {
    fs.mkdirSync(`${envs}/plain`);
    const run = mlcAsUser(['env', 'check', `${envs}/plain`], places);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      `mlc: error: ${envs}/plain is not an mlc env (no .mlc-env.json); give the path of an env made by mlc env create (mlc env list shows them)`
    );
  });
});

describe('mlc env remove', () => {
  it('removes the env and its kernel, unlinking links without following them', () => {
    const created = mlc<IEnvCreateResult>([
      'env',
      'create',
      `${envs}/doomed`,
      '--base',
      base
    ]);
    const removed = mlc<IEnvRemoveResult>(['env', 'remove', `${envs}/doomed`]);
    expect(removed).toEqual({
      prefix: `${envs}/doomed`,
      kernelName: created.kernelName
    });
    expect(fs.existsSync(`${envs}/doomed`)).toBe(false);
    expect(fs.existsSync(`${places.data}/kernels/${created.kernelName}`)).toBe(
      false
    );
    expect(
      fs.readdirSync(envs).filter(name => name.startsWith('.mlc-tmp'))
    ).toEqual([]);
    // The base, reached through every link of the env, is whole (afterEach checks its checksum too).
    expect(fs.existsSync(`${base}/bin/python${python}`)).toBe(true);
  });

  it('refuses a directory without a valid record, and a symlink to an env', () => {
    fs.mkdirSync(`${envs}/fake`);
    fs.writeFileSync(`${envs}/fake/.mlc-env.json`, '{"schemaVersion": 1}');
    fs.writeFileSync(`${envs}/fake/data`, 'keep');
    const fake = mlcAsUser(['env', 'remove', `${envs}/fake`], places);
    expect(fake.code).toBe(2);
    expect(fake.stderr).toMatch(
      /^mlc: error: .*fake is not an mlc env \(\.mlc-env\.json: name: /
    );
    expect(fs.readFileSync(`${envs}/fake/data`, 'utf-8')).toBe('keep');
    const plain = mlcAsUser(['env', 'remove', `${envs}/plain`], places);
    expect(plain.code).toBe(2);
    expect(fs.existsSync(`${envs}/plain`)).toBe(true);
    fs.symlinkSync(`${envs}/listed`, `${envs}/alias`);
    const alias = mlcAsUser(['env', 'remove', `${envs}/alias`], places);
    expect(alias.code).toBe(2);
    expect(alias.stderr).toContain('is a symbolic link');
    expect(fs.existsSync(`${envs}/listed/.mlc-env.json`)).toBe(true);
  });

  it('unregisters the kernel of an env deleted by hand', () => {
    const created = mlc<IEnvCreateResult>([
      'env',
      'create',
      `${envs}/handmade`,
      '--base',
      base
    ]);
    fs.rmSync(`${envs}/handmade`, { recursive: true });
    const listed = mlc<IEnvListResult>(['env', 'list']);
    expect(
      listed.envs
        .find(env => env.prefix === `${envs}/handmade`)
        ?.problems.map(problem => problem.code)
    ).toEqual(['env-missing']);
    const removed = mlc<IEnvRemoveResult>([
      'env',
      'remove',
      `${envs}/handmade`
    ]);
    expect(removed.kernelName).toBe(created.kernelName);
    expect(fs.existsSync(`${places.data}/kernels/${created.kernelName}`)).toBe(
      false
    );
  });
});
