/**
 * An env's life with real parts: `mlc env install/uninstall/history/
 * rollback/export` and `create --from`, as the unprivileged user, with the
 * env's own pip against a real local index (pypiserver serving wheels built
 * here). The base's checksum is compared after every test (useEnvFixture).
 */
import * as fs from 'fs';
import type {
  IEnvExportResult,
  IEnvHistoryResult,
  IEnvInstallResult,
  IEnvRollbackResult
} from '../../src/core/envLife';
import type { IEnvCreateResult } from '../../src/core/envRecord';
import {
  buildFailingSdist,
  buildPackages,
  DEMO_PACKAGES,
  startPackageIndex,
  type IPackageIndex
} from '../harness/packageIndex';
import {
  mlcAsUser,
  resultData,
  runAsUser,
  useEnvFixture,
  userDir,
  type IUserPlaces,
  errorText as errorLine
} from '../harness/unprivilegedBase';

const fixture = useEnvFixture('env-life');
let places: IUserPlaces;
let envs: string;
let index: IPackageIndex;
/** An image package (pure Python, in the base) the shadow test asks another version of. */
let imagePackage: { name: string; version: string };

beforeAll(async () => {
  places = fixture.places;
  envs = userDir(`${fixture.scratch}/envs`);
  imagePackage = Private.pickImagePackage(fixture.base, fixture.python);
  const wheels = `${fixture.scratch}/index`;
  buildPackages(wheels, [
    ...DEMO_PACKAGES,
    { name: imagePackage.name, version: '99.0' },
    {
      name: 'mlc-demo-shadow',
      version: '1.0',
      requires: [`${imagePackage.name}==99.0`]
    }
  ]);
  buildFailingSdist(wheels, 'mlc-demo-broken', '1.0');
  index = await startPackageIndex(wheels);
}, 600000);

afterAll(async () => {
  await index?.stop();
});

function mlc(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return mlcAsUser([...args, '--json'], places, {
    env: { ...index.pipEnv, ...extraEnv },
    timeoutMs: 300000
  });
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

/** The env's own packages as its pip lists them. */
function freeze(env: string): string[] {
  const run = runAsUser(
    `${env}/bin/python${fixture.python}`,
    ['-m', 'pip', 'freeze', '--local', '--disable-pip-version-check'],
    places
  );
  expect(run.code).toBe(0);
  return run.stdout.split('\n').filter(Boolean).sort();
}

function createEnv(name: string): string {
  const env = `${envs}/${name}`;
  ok<IEnvCreateResult>([
    'env',
    'create',
    env,
    '--base',
    fixture.base,
    '--no-kernel'
  ]);
  return env;
}

describe('mlc env install / uninstall / history', () => {
  let env: string;
  beforeAll(() => {
    env = createEnv('life');
  });

  it('records the create as revision 1 with the image identity', () => {
    const history = ok<IEnvHistoryResult>(['env', 'history', env]);
    expect(history.revisions.map(r => r.command)).toEqual(['create']);
    expect(history.revisions[0].pip).toEqual([]);
    expect(history.revisions[0].image.packagesDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(history.matchesCurrent).toBe(true);
  });

  it('installs with dependencies from the index, in phases, with a log and a revision', () => {
    const run = mlc(['env', 'install', env, 'mlc-demo-b']);
    expect(run.code).toBe(0);
    const phases = run.stdout
      .split('\n')
      .filter(line => line.includes('"type":"progress"'))
      .map(line => (JSON.parse(line) as { phase?: string }).phase)
      .filter(Boolean);
    expect(phases).toEqual(
      expect.arrayContaining(['resolve', 'install', 'verify'])
    );
    const result = resultData<IEnvInstallResult>(run);
    expect(result.changes.map(c => `${c.kind} ${c.name} ${c.to}`)).toEqual([
      'install mlc-demo-a 2.0',
      'install mlc-demo-b 1.0'
    ]);
    expect(result.revision).toBe(2);
    expect(fs.readFileSync(result.logFile as string, 'utf-8')).toMatch(
      /mlc-demo-b|mlc_demo_b/
    );
    const imported = runAsUser(
      `${env}/bin/python${fixture.python}`,
      ['-c', 'import mlc_demo_a; print(mlc_demo_a.__version__)'],
      places
    );
    expect(imported.stdout.trim()).toBe('2.0');
    expect(freeze(env)).toEqual(['mlc-demo-a==2.0', 'mlc-demo-b==1.0']);
  });

  it('previews a downgrade with --dry-run and changes nothing', () => {
    const before = freeze(env);
    const result = ok<IEnvInstallResult>([
      'env',
      'install',
      env,
      'mlc-demo-a==1.0',
      '--dry-run'
    ]);
    expect(result.dryRun).toBe(true);
    expect(result.refused).toBeNull();
    expect(result.changes).toEqual([
      {
        name: 'mlc-demo-a',
        from: '2.0',
        to: '1.0',
        kind: 'downgrade',
        installer: 'pip'
      }
    ]);
    expect(freeze(env)).toEqual(before);
    expect(ok<IEnvHistoryResult>(['env', 'history', env]).current).toBe(2);
  });

  it('refuses an install that would shadow an image package, before anything is written', () => {
    const before = freeze(env);
    const run = mlc(['env', 'install', env, 'mlc-demo-shadow']);
    expect(run.code).toBe(1);
    const line = errorLine(run);
    expect(line).toContain(
      `${imagePackage.name} ${imagePackage.version} (image) -> 99.0 (env)`
    );
    expect(line).toContain('--allow-image-override');
    expect(line).toContain('the env is unchanged');
    expect(freeze(env)).toEqual(before);
    expect(ok<IEnvHistoryResult>(['env', 'history', env]).current).toBe(2);

    const preview = mlc([
      'env',
      'install',
      env,
      'mlc-demo-shadow',
      '--dry-run'
    ]);
    expect(preview.code).toBe(1);
    const data = resultData<IEnvInstallResult>(preview);
    expect(data.shadowed).toEqual([
      {
        name: imagePackage.name,
        imageVersion: imagePackage.version,
        envVersion: '99.0'
      }
    ]);
    expect(data.refused).toContain('(image) -> 99.0 (env)');
  });

  it('refuses an unknown package and one whose build fails, in one line, the env unchanged', () => {
    const before = freeze(env);
    const unknown = mlc(['env', 'install', env, 'mlc-demo-nonexistent']);
    expect(unknown.code).toBe(1);
    expect(errorLine(unknown)).toMatch(
      /mlc-demo-nonexistent.*the env is unchanged/
    );
    const broken = mlc(['env', 'install', env, 'mlc-demo-broken']);
    expect(broken.code).toBe(1);
    expect(errorLine(broken)).toContain('the env is unchanged');
    const option = mlc(['env', 'install', env, '--', '--index-url=http://x']);
    expect(option.code).toBe(2);
    expect(freeze(env)).toEqual(before);
  });

  it('uninstalls what the env installed, never the image', () => {
    const image = mlc(['env', 'uninstall', env, imagePackage.name]);
    expect(image.code).toBe(2);
    expect(errorLine(image)).toContain('is part of the image');
    const result = ok<IEnvInstallResult>([
      'env',
      'uninstall',
      env,
      'mlc-demo-b'
    ]);
    expect(result.changes.map(c => `${c.kind} ${c.name}`)).toEqual([
      'remove mlc-demo-b'
    ]);
    expect(result.revision).toBe(3);
    expect(freeze(env)).toEqual(['mlc-demo-a==2.0']);
  });

  it('rolls back to a revision, and refuses in one line when a wheel cannot be had', () => {
    const down = mlc(['env', 'rollback', env, '2'], {
      PIP_INDEX_URL: 'http://127.0.0.1:9/simple/'
    });
    expect(down.code).toBe(1);
    expect(errorLine(down)).toContain('the env is unchanged');
    expect(freeze(env)).toEqual(['mlc-demo-a==2.0']);

    const back = ok<IEnvRollbackResult>(['env', 'rollback', env, '2']);
    expect(back.revision).toBe(4);
    expect(freeze(env)).toEqual(['mlc-demo-a==2.0', 'mlc-demo-b==1.0']);
    const first = ok<IEnvRollbackResult>(['env', 'rollback', env, '1']);
    expect(first.changes.map(c => c.kind)).toEqual(['remove', 'remove']);
    expect(freeze(env)).toEqual([]);
    const history = ok<IEnvHistoryResult>(['env', 'history', env]);
    expect(history.revisions.map(r => r.command)).toEqual([
      'create',
      'install',
      'uninstall',
      'rollback',
      'rollback'
    ]);
    expect(history.matchesCurrent).toBe(true);
  });
});

describe('mlc env export / create --from', () => {
  it("recreates an env whose own pip freeze equals the original's", () => {
    const env = createEnv('original');
    ok<IEnvInstallResult>([
      'env',
      'install',
      env,
      'mlc-demo-b',
      'mlc-demo-a==1.0'
    ]);
    const lockFile = `${envs}/original.lock.json`;
    const exported = ok<IEnvExportResult>([
      'env',
      'export',
      env,
      '-o',
      lockFile
    ]);
    expect(exported.file).toBe(lockFile);
    expect(
      exported.lock.pip.every(pin => pin.hash?.startsWith('sha256:'))
    ).toBe(true);
    const copy = `${envs}/copy`;
    ok<IEnvCreateResult>([
      'env',
      'create',
      copy,
      '--base',
      fixture.base,
      '--no-kernel',
      '--from',
      lockFile
    ]);
    expect(freeze(copy)).toEqual(freeze(env));
    expect(freeze(copy)).toEqual(['mlc-demo-a==1.0', 'mlc-demo-b==1.0']);
  });

  it('refuses a lock file of another image unless --allow-other-image, then warns', () => {
    const env = createEnv('other');
    const lockFile = `${envs}/other.lock.json`;
    ok<IEnvExportResult>(['env', 'export', env, '-o', lockFile]);
    const lock = JSON.parse(fs.readFileSync(lockFile, 'utf-8'));
    lock.image.packagesDigest = 'f'.repeat(64);
    lock.image.reference = 'ml-other:1';
    fs.writeFileSync(lockFile, JSON.stringify(lock));
    const refused = mlc([
      'env',
      'create',
      `${envs}/other2`,
      '--base',
      fixture.base,
      '--no-kernel',
      '--from',
      lockFile
    ]);
    expect(refused.code).toBe(2);
    expect(errorLine(refused)).toContain('--allow-other-image');
    expect(fs.existsSync(`${envs}/other2`)).toBe(false);
    const allowed = mlc([
      'env',
      'create',
      `${envs}/other2`,
      '--base',
      fixture.base,
      '--no-kernel',
      '--from',
      lockFile,
      '--allow-other-image'
    ]);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('"type":"warning"');
    expect(allowed.stdout).toContain('ml-other:1');
  });
});

namespace Private {
  /** A pure-Python distribution of the base (ipykernel's dependencies have several). */
  export function pickImagePackage(
    base: string,
    python: string
  ): { name: string; version: string } {
    const site = `${base}/lib/python${python}/site-packages`;
    for (const wanted of ['comm', 'traitlets', 'packaging']) {
      const found = fs
        .readdirSync(site)
        .map(name => new RegExp(`^${wanted}-([^-]+)\\.dist-info$`).exec(name))
        .find(Boolean);
      if (found) {
        return { name: wanted, version: found[1] };
      }
    }
    throw new Error(`none of the expected pure-Python packages is in ${site}`);
  }
}
