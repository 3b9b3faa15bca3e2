/**
 * An env's life with conda packages, with real parts: `mlc env install
 * --conda` / `uninstall --conda` / history / rollback / export / create
 * --from / rebase driving the image's conda installer, a stand-in with
 * micromamba's command line and --json answer on py-rattler (a real conda
 * solver and installer) at `<image>/bin/micromamba`, against a local
 * channel the harness builds. Runs as the unprivileged user; the image's
 * checksum is compared after every test.
 */
import * as fs from 'fs';
import type {
  IEnvExportResult,
  IEnvHistoryResult,
  IEnvInstallResult,
  IEnvRollbackResult
} from '../../src/core/envLife';
import type { IEnvRebaseResult } from '../../src/core/envLife';
import { condaInstallArgs, useCondaImage } from '../harness/condaImage';
import { buildCondaChannel } from '../harness/micromambaStandIn';
import {
  errorText as errorLine,
  mlcAsUser,
  resultData,
  runAsUser,
  treeChecksum,
  type IUserPlaces
} from '../harness/unprivilegedBase';

const setup = useCondaImage('env-life-conda', [
  { name: 'mlc-conda-a', version: '1.0' },
  { name: 'mlc-conda-a', version: '2.0' },
  { name: 'mlc-conda-b', version: '1.0', depends: ['mlc-conda-a >=2'] },
  { name: 'libzlib', version: '99.0' },
  { name: 'mlc-conda-shadow', version: '1.0', depends: ['libzlib ==99.0'] },
  // A conda package named as a pip package of the image (pip-only there).
  { name: 'comm', version: '99.0' }
]);
const fixture = setup.fixture;
let places: IUserPlaces;
let image: string;
let imageSum: string;
let channel: string;
let envs: string;
/** The image's own conda record of libzlib (`libzlib-VERSION-BUILD.json`). */
let imageZlib: { version: string; build: string };

beforeAll(() => {
  ({ image, channel, envs } = setup);
  places = fixture.places;
  const zlib = fs
    .readdirSync(`${image}/conda-meta`)
    .map(file => /^libzlib-([^-]+)-([^-]+)\.json$/.exec(file))
    .find(Boolean);
  if (!zlib) {
    throw new Error('the test image has no libzlib record');
  }
  imageZlib = { version: zlib[1], build: zlib[2] };
  imageSum = treeChecksum(image);
}, 600000);

afterEach(() => {
  expect(treeChecksum(image)).toBe(imageSum);
});

function mlc(args: string[]) {
  return mlcAsUser(['--json', ...args], places, { timeoutMs: 300000 });
}

function ok<T>(args: string[]): T {
  const run = mlc(args);
  if (run.code !== 0) {
    throw new Error(
      `mlc ${args.join(' ')}: exit ${run.code}\n${run.stdout}\n${run.stderr}`
    );
  }
  return resultData<T>(run);
}

function createEnv(name: string): string {
  const env = `${envs}/${name}`;
  ok(['env', 'create', env, '--base', image, '--no-kernel']);
  return env;
}

/** The env's own conda records (`name version build`), as its conda-meta holds them. */
function ownConda(env: string): string[] {
  const copied = new Set(
    fs.readFileSync(`${env}/conda-meta/.mlc-base-records`, 'utf-8').split('\n')
  );
  return fs
    .readdirSync(`${env}/conda-meta`)
    .filter(file => file.endsWith('.json') && !copied.has(file))
    .map(file => file.slice(0, -5).replace(/-([^-]+)-([^-]+)$/, ' $1 $2'))
    .sort();
}

function install(env: string, specs: string[], flags: string[] = []) {
  return mlc(condaInstallArgs(env, channel, specs, flags));
}

describe('mlc env install --conda', () => {
  let env: string;
  beforeAll(() => {
    env = createEnv('conda-life');
  });

  it('previews with the dry run in the pip preview shape, and writes nothing', () => {
    const run = install(env, ['mlc-conda-b'], ['--dry-run']);
    expect(run.code).toBe(0);
    const result = resultData<IEnvInstallResult>(run);
    expect(result).toMatchObject({
      installer: 'conda',
      dryRun: true,
      refused: null,
      revision: null,
      shadowed: []
    });
    expect(result.changes.map(c => `${c.kind} ${c.name} ${c.to}`)).toEqual([
      'install mlc-conda-a 2.0',
      'install mlc-conda-b 1.0'
    ]);
    expect(ownConda(env)).toEqual([]);
    expect(fs.existsSync(`${env}/bin/mlc-conda-b`)).toBe(false);
  });

  it('installs in phases, with the log, a revision and the records channel and digests', () => {
    const run = install(env, ['mlc-conda-a=1.0']);
    expect(run.code).toBe(0);
    const phases = run.stdout
      .split('\n')
      .filter(line => line.includes('"type":"progress"'))
      .map(line => (JSON.parse(line) as { phase?: string }).phase);
    expect(phases).toEqual(
      expect.arrayContaining(['resolve', 'install', 'verify'])
    );
    const result = resultData<IEnvInstallResult>(run);
    expect(result.changes).toEqual([
      {
        name: 'mlc-conda-a',
        from: null,
        to: '1.0',
        kind: 'install',
        installer: 'conda'
      }
    ]);
    expect(result.revision).toBe(2);
    expect(result.logFile && fs.existsSync(result.logFile)).toBe(true);
    expect(ownConda(env)).toEqual(['mlc-conda-a 1.0 0']);
    const tool = runAsUser(`${env}/bin/mlc-conda-a`, [], places);
    expect(tool.stdout.trim()).toBe('mlc-conda-a 1.0');
    expect(fs.existsSync(`${image}/bin/mlc-conda-a`)).toBe(false);

    const history = ok<IEnvHistoryResult>(['env', 'history', env]);
    const last = history.revisions[history.revisions.length - 1];
    expect(last.args).toEqual([
      '--conda',
      '--channel',
      channel,
      'mlc-conda-a=1.0'
    ]);
    expect(last.conda).toEqual([
      expect.objectContaining({
        name: 'mlc-conda-a',
        version: '1.0',
        build: '0',
        channel,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        md5: expect.stringMatching(/^[0-9a-f]{32}$/)
      })
    ]);
    expect(last.changes.map(c => `${c.installer} ${c.kind} ${c.name}`)).toEqual(
      ['conda install mlc-conda-a']
    );
    expect(history.matchesCurrent).toBe(true);
  });

  it('upgrades with dependencies (mlc-conda-b needs mlc-conda-a >= 2)', () => {
    const result = resultData<IEnvInstallResult>(install(env, ['mlc-conda-b']));
    expect(
      result.changes.map(c => `${c.kind} ${c.name} ${c.from} ${c.to}`)
    ).toEqual(['upgrade mlc-conda-a 1.0 2.0', 'install mlc-conda-b null 1.0']);
    expect(ownConda(env)).toEqual(['mlc-conda-a 2.0 0', 'mlc-conda-b 1.0 0']);
  });

  it('refuses another version of an image package, listing it, before anything is written', () => {
    const shadow = `libzlib ${imageZlib.version} (image) -> 99.0 (env)`;
    const preview = install(env, ['libzlib=99.0'], ['--dry-run']);
    expect(preview.code).toBe(1);
    const previewed = resultData<IEnvInstallResult>(preview);
    expect(previewed.refused).toContain(shadow);
    expect(previewed.shadowed).toEqual([
      { name: 'libzlib', imageVersion: imageZlib.version, envVersion: '99.0' }
    ]);

    const before = fs.readdirSync(`${env}/conda-meta`).sort();
    const run = install(env, ['mlc-conda-shadow']);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toContain(shadow);
    expect(errorLine(run)).toContain('--allow-image-override');
    expect(fs.readdirSync(`${env}/conda-meta`).sort()).toEqual(before);
    expect(fs.existsSync(`${env}/.mlc-revisions/pending.json`)).toBe(false);
    expect(ok<IEnvHistoryResult>(['env', 'history', env]).matchesCurrent).toBe(
      true
    );
  });

  it("refuses a conda package that would shadow a pip package of the image's", () => {
    const comm = fs
      .readdirSync(`${image}/lib/python${fixture.python}/site-packages`)
      .map(name => /^comm-([^-]+)\.dist-info$/.exec(name)?.[1])
      .find(Boolean);
    expect(comm).toBeDefined();
    const run = install(env, ['comm=99.0'], ['--dry-run']);
    expect(run.code).toBe(1);
    expect(resultData<IEnvInstallResult>(run).refused).toContain(
      `comm ${comm} (image) -> 99.0 (env)`
    );
  });

  it('uninstalls only what the env installed: an image package is refused in one line', () => {
    const refused = mlc(['env', 'uninstall', env, '--conda', '--', 'libzlib']);
    expect(refused.code).toBe(2);
    expect(errorLine(refused)).toContain(
      `libzlib ${imageZlib.version} is part of the image, not of the env`
    );
    const result = ok<IEnvInstallResult>([
      'env',
      'uninstall',
      env,
      '--conda',
      '--',
      'mlc-conda-b'
    ]);
    expect(result.changes.map(c => `${c.kind} ${c.name}`)).toEqual([
      'remove mlc-conda-b'
    ]);
    expect(ownConda(env)).toEqual(['mlc-conda-a 2.0 0']);
    expect(fs.existsSync(`${env}/bin/mlc-conda-b`)).toBe(false);
  });

  it('rolls the conda packages back to a revision, exactly', () => {
    const history = ok<IEnvHistoryResult>(['env', 'history', env]);
    const withB = history.revisions.find(r =>
      r.conda.some(pin => pin.name === 'mlc-conda-b')
    );
    expect(withB).toBeDefined();
    const back = ok<IEnvRollbackResult>([
      'env',
      'rollback',
      env,
      String(withB?.number)
    ]);
    expect(back.changes.map(c => `${c.installer} ${c.kind} ${c.name}`)).toEqual(
      ['conda install mlc-conda-b']
    );
    expect(ownConda(env)).toEqual(['mlc-conda-a 2.0 0', 'mlc-conda-b 1.0 0']);

    const first = ok<IEnvRollbackResult>(['env', 'rollback', env, '2']);
    expect(first.changes.map(c => `${c.kind} ${c.name} ${c.to}`)).toEqual([
      'downgrade mlc-conda-a 1.0',
      'remove mlc-conda-b null'
    ]);
    expect(ownConda(env)).toEqual(['mlc-conda-a 1.0 0']);
    expect(runAsUser(`${env}/bin/mlc-conda-a`, [], places).stdout.trim()).toBe(
      'mlc-conda-a 1.0'
    );
  });
});

describe('an image package overridden with --allow-image-override', () => {
  it("is installed into the env only; uninstalling the override brings the image's back", () => {
    const env = createEnv('conda-override');
    const zlibRecord = `libzlib-${imageZlib.version}-${imageZlib.build}.json`;
    const installed = ok<IEnvInstallResult>(
      condaInstallArgs(
        env,
        channel,
        ['libzlib=99.0'],
        ['--allow-image-override']
      )
    );
    expect(installed.shadowed).toEqual([
      { name: 'libzlib', imageVersion: imageZlib.version, envVersion: '99.0' }
    ]);
    expect(ownConda(env)).toEqual(['libzlib 99.0 0']);
    expect(fs.existsSync(`${env}/conda-meta/${zlibRecord}`)).toBe(false);
    expect(fs.existsSync(`${image}/conda-meta/${zlibRecord}`)).toBe(true);

    ok(['env', 'uninstall', env, '--conda', '--', 'libzlib']);
    expect(ownConda(env)).toEqual([]);
    // The image's record copied back and listed, its files linked again.
    expect(fs.lstatSync(`${env}/conda-meta/${zlibRecord}`).isFile()).toBe(true);
    expect(
      fs.readFileSync(`${env}/conda-meta/.mlc-base-records`, 'utf-8')
    ).toContain(zlibRecord);
    expect(
      fs.readlinkSync(`${env}/lib/libz.so.${imageZlib.version}`)
    ).toContain('baseEnv_dir/');
    const history = ok<IEnvHistoryResult>(['env', 'history', env]);
    expect(history.matchesCurrent).toBe(true);
  });
});

describe('a rollback whose conda package cannot be had', () => {
  it('says so in one line and leaves the env unchanged', () => {
    const env = createEnv('conda-gone');
    const gone = buildCondaChannel(`${fixture.scratch}/channel-gone`, [
      { name: 'mlc-conda-c', version: '1.0' }
    ]);
    expect(mlc(condaInstallArgs(env, gone, ['mlc-conda-c'])).code).toBe(0);
    const withC = ok<IEnvHistoryResult>(['env', 'history', env]).current;
    expect(
      mlc(['env', 'uninstall', env, '--conda', '--', 'mlc-conda-c']).code
    ).toBe(0);
    fs.renameSync(
      `${fixture.scratch}/channel-gone`,
      `${fixture.scratch}/channel-moved`
    );
    const before = fs.readdirSync(`${env}/conda-meta`).sort();
    const run = mlc(['env', 'rollback', env, String(withC)]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toMatch(
      new RegExp(
        `cannot roll back to revision ${withC}: .*the env is unchanged`
      )
    );
    expect(fs.readdirSync(`${env}/conda-meta`).sort()).toEqual(before);
    expect(fs.existsSync(`${env}/.mlc-revisions/pending.json`)).toBe(false);
    const history = ok<IEnvHistoryResult>(['env', 'history', env]);
    expect(history.current).toBe(withC + 1);
    expect(history.matchesCurrent).toBe(true);
  });
});

describe('conda packages across export, create --from and rebase', () => {
  it('exports conda specs with channel and digests; create --from recreates the same records', () => {
    const env = createEnv('conda-export');
    expect(install(env, ['mlc-conda-b']).code).toBe(0);
    const lockFile = `${envs}/conda.lock.json`;
    const exported = ok<IEnvExportResult>([
      'env',
      'export',
      env,
      '-o',
      lockFile
    ]);
    expect(exported.lock.conda).toEqual([
      expect.objectContaining({
        name: 'mlc-conda-a',
        version: '2.0',
        build: '0',
        channel
      }),
      expect.objectContaining({
        name: 'mlc-conda-b',
        version: '1.0',
        build: '0',
        channel
      })
    ]);
    for (const pin of exported.lock.conda) {
      expect(pin.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(pin.md5).toMatch(/^[0-9a-f]{32}$/);
    }
    const copy = `${envs}/conda-recreated`;
    ok([
      'env',
      'create',
      copy,
      '--base',
      image,
      '--no-kernel',
      '--from',
      lockFile
    ]);
    expect(ownConda(copy)).toEqual(ownConda(env));
    expect(runAsUser(`${copy}/bin/mlc-conda-b`, [], places).stdout.trim()).toBe(
      'mlc-conda-b 1.0'
    );
  });

  it("rebase installs the env's own conda packages again in the rebuilt env", () => {
    const env = createEnv('conda-rebase');
    expect(install(env, ['mlc-conda-a=1.0']).code).toBe(0);
    const rebased = ok<IEnvRebaseResult>(['env', 'rebase', env]);
    expect(rebased.revision).toBe(3);
    expect(ownConda(env)).toEqual(['mlc-conda-a 1.0 0']);
    expect(runAsUser(`${env}/bin/mlc-conda-a`, [], places).stdout.trim()).toBe(
      'mlc-conda-a 1.0'
    );
    const history = ok<IEnvHistoryResult>(['env', 'history', env]);
    expect(history.revisions.map(r => r.command)).toEqual([
      'create',
      'install',
      'rebase'
    ]);
    expect(history.matchesCurrent).toBe(true);
    // No leftover staging sibling.
    expect(fs.readdirSync(envs).filter(name => name.startsWith('.'))).toEqual(
      []
    );
  });
});
