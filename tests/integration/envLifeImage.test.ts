/**
 * The image updated under an env (an image replaced in place, as on CVMFS):
 * `mlc env list` and `check` notice it with the package differences, and
 * `mlc env rebase` rebuilds the env's packages on it, keeping the kernel
 * and recording the old state as the previous revision. On a root-owned
 * copy of the base with an image.json; the copy's checksum is compared
 * across every mlc run as the unprivileged user.
 */
import * as fs from 'fs';
import type {
  IEnvHistoryResult,
  IEnvInstallResult,
  IEnvRebaseResult
} from '../../src/core/envLife';
import type {
  IEnvCheckResult,
  IEnvCreateResult,
  IEnvListResult
} from '../../src/core/envRecord';
import type { ImageMetadata } from '../../src/core/imageMetadata';
import { buildPackages } from '../harness/packageIndex';
import {
  copyBase,
  mlcAsUser,
  resultData,
  treeChecksum,
  useEnvFixture,
  userDir,
  type IUserPlaces
} from '../harness/unprivilegedBase';

const fixture = useEnvFixture('env-life-image');
let places: IUserPlaces;
let base: string;
let envs: string;
let wheels: string;
let imageJson: string;

beforeAll(() => {
  places = fixture.places;
  envs = userDir(`${fixture.scratch}/envs`);
  base = copyBase(fixture.base, `${fixture.scratch}/image`);
  imageJson = `${base}/share/jupyter/kernels/python3/image.json`;
  fs.mkdirSync(`${base}/share/jupyter/kernels/python3`, { recursive: true });
  writeImage(imageOf('2026-01-01T00:00:00Z', {}));
  wheels = `${fixture.scratch}/wheels`;
  buildPackages(wheels, [
    { name: 'mlc-demo-a', version: '1.0' },
    // Imports an image package at import time, without declaring it.
    { name: 'mlc-demo-uses-comm', version: '1.0', source: 'import comm\n' }
  ]);
  fs.chmodSync(wheels, 0o755);
}, 300000);

/** An image.json listing the base's pip packages, with `edits` applied. */
function imageOf(
  buildDate: string,
  edits: { bump?: string; add?: string; drop?: string }
): ImageMetadata {
  const site = `${base}/lib/python${fixture.python}/site-packages`;
  let packages = fs
    .readdirSync(site)
    .map(name => /^(.+)-([^-]+)\.dist-info$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(match => ({
      name: match[1],
      version: match[2],
      source: 'pip' as const
    }));
  packages = packages
    .filter(pkg => pkg.name !== edits.drop)
    .map(pkg =>
      pkg.name === edits.bump ? { ...pkg, version: `${pkg.version}.1` } : pkg
    );
  if (edits.add) {
    packages.push({ name: edits.add, version: '1.0', source: 'pip' });
  }
  return {
    schemaVersion: 1,
    name: 'ml-base',
    tag: 'test',
    os: 'Debian GNU/Linux 12',
    python: `${fixture.python}.0`,
    flavour: 'cpu',
    buildDate,
    prefix: base,
    packages
  };
}

function writeImage(image: ImageMetadata): void {
  fs.writeFileSync(imageJson, JSON.stringify(image));
  fs.chmodSync(imageJson, 0o644);
}

function mlc<T>(args: string[], expectCode = 0): T {
  const run = mlcAsUser([...args, '--json'], places, {
    env: { PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels },
    timeoutMs: 300000
  });
  if (run.code !== expectCode) {
    throw new Error(
      `mlc ${args.join(' ')}: exit ${run.code}\n${run.stdout}\n${run.stderr}`
    );
  }
  return resultData<T>(run);
}

describe('an image updated under an env', () => {
  it('is noticed by list and check with its differences, and rebase takes the env onto it', () => {
    const env = `${envs}/lives`;
    const created = mlc<IEnvCreateResult>([
      'env',
      'create',
      env,
      '--base',
      base
    ]);
    mlc<IEnvInstallResult>(['env', 'install', env, 'mlc-demo-a']);
    expect(mlc<IEnvCheckResult>(['env', 'check', env]).problems).toEqual([]);

    // The image is replaced in place: one package upgraded, one added, one gone.
    const site = fs.readdirSync(
      `${base}/lib/python${fixture.python}/site-packages`
    );
    const names = site
      .map(name => /^(.+)-[^-]+\.dist-info$/.exec(name)?.[1])
      .filter((name): name is string => name !== undefined);
    const bump = names.find(name => name !== 'pip') as string;
    const drop = names.find(name => name !== 'pip' && name !== bump) as string;
    writeImage(
      imageOf('2026-02-01T00:00:00Z', { bump, add: 'brand-new', drop })
    );
    const before = treeChecksum(base);

    const listed = mlc<IEnvListResult>(['env', 'list', '--dir', envs]);
    const summary = listed.envs.find(item => item.prefix === env);
    expect(summary?.problems.map(problem => problem.code)).toEqual([
      'base-updated'
    ]);
    expect(summary?.imageChange?.recordedBuild).toBe('2026-01-01T00:00:00Z');
    expect(summary?.imageChange?.currentBuild).toBe('2026-02-01T00:00:00Z');
    expect(summary?.imageChange?.upgraded.map(pkg => pkg.name)).toEqual([bump]);
    expect(summary?.imageChange?.added).toEqual([
      { name: 'brand-new', version: '1.0' }
    ]);
    expect(summary?.imageChange?.removed.map(pkg => pkg.name)).toEqual([drop]);
    const checked = mlc<IEnvCheckResult>(['env', 'check', env], 1);
    expect(checked.problems.map(problem => problem.code)).toEqual([
      'base-updated'
    ]);
    expect(checked.problems[0].hint).toContain('mlc env rebase');

    const rebased = mlc<IEnvRebaseResult>(['env', 'rebase', env]);
    expect(rebased.to.buildDate).toBe('2026-02-01T00:00:00Z');
    expect(rebased.from.buildDate).toBe('2026-01-01T00:00:00Z');
    expect(rebased.imported).toEqual(['mlc_demo_a']);
    expect(rebased.pipCheck).toBe('ok');
    expect(rebased.previous).toBe(2);
    expect(treeChecksum(base)).toBe(before);

    expect(mlc<IEnvCheckResult>(['env', 'check', env]).problems).toEqual([]);
    const history = mlc<IEnvHistoryResult>(['env', 'history', env]);
    expect(history.revisions.map(revision => revision.command)).toEqual([
      'create',
      'install',
      'rebase'
    ]);
    expect(history.revisions[2].image.buildDate).toBe('2026-02-01T00:00:00Z');
    // The kernel keeps its name (and so the tile and the notebooks' choice).
    const after = mlc<IEnvListResult>(['env', 'list']).envs.find(
      item => item.prefix === env
    );
    expect(after?.kernelName).toBe(created.kernelName);
    expect(
      fs.existsSync(`${places.data}/kernels/${created.kernelName}/kernel.json`)
    ).toBe(true);
  });

  it('refuses a rebase whose smoke test fails, naming the package, and changes nothing', () => {
    const baseB = copyBase(fixture.base, `${fixture.scratch}/imageB`);
    const jsonB = `${baseB}/share/jupyter/kernels/python3/image.json`;
    fs.mkdirSync(`${baseB}/share/jupyter/kernels/python3`, { recursive: true });
    fs.writeFileSync(
      jsonB,
      JSON.stringify({ ...imageOf('2026-01-01T00:00:00Z', {}), prefix: baseB })
    );
    const env = `${envs}/breaks`;
    mlc<IEnvCreateResult>([
      'env',
      'create',
      env,
      '--base',
      baseB,
      '--no-kernel'
    ]);
    mlc<IEnvInstallResult>(['env', 'install', env, 'mlc-demo-uses-comm']);

    // The update drops comm from the image.
    const site = `${baseB}/lib/python${fixture.python}/site-packages`;
    for (const name of fs.readdirSync(site)) {
      if (name === 'comm' || /^comm-[^-]+\.dist-info$/.test(name)) {
        fs.rmSync(`${site}/${name}`, { recursive: true });
      }
    }
    fs.writeFileSync(
      jsonB,
      JSON.stringify({ ...imageOf('2026-03-01T00:00:00Z', {}), prefix: baseB })
    );
    const sumB = treeChecksum(baseB);
    const history = mlc<IEnvHistoryResult>(['env', 'history', env]);

    const run = mlcAsUser(['--json', 'env', 'rebase', env], places, {
      env: { PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels },
      timeoutMs: 300000
    });
    expect(run.code).toBe(1);
    const error = run.stdout
      .split('\n')
      .find(line => line.includes('"type":"error"')) as string;
    expect(JSON.parse(error).message).toMatch(
      /mlc-demo-uses-comm \(mlc_demo_uses_comm: ModuleNotFoundError.*comm.*the env is unchanged/
    );
    expect(treeChecksum(baseB)).toBe(sumB);
    expect(mlc<IEnvHistoryResult>(['env', 'history', env]).revisions).toEqual(
      history.revisions
    );
    const checked = mlc<IEnvCheckResult>(['env', 'check', env], 1);
    expect(checked.problems.map(problem => problem.code)).toEqual([
      'base-updated'
    ]);
  });
});
