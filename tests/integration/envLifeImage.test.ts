/**
 * The image updated under an env (an image replaced in place, as on CVMFS):
 * `mlc env list` and `check` notice it with the package differences, and
 * `mlc env rebase` rebuilds the env's packages on it, keeping the kernel
 * and recording the old state as the previous revision. On a root-owned
 * copy of the base with an image.json; the copy's checksum is compared
 * across every mlc run as the unprivileged user.
 */
import { execFileSync } from 'child_process';
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
import { testUser } from '../harness/user';

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
    {
      name: 'mlc-demo-tool',
      version: '1.0',
      source: 'def main():\n    print("tool ok")\n',
      scripts: { 'mlc-demo-tool': 'mlc_demo_tool:main' }
    },
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
    mlc<IEnvInstallResult>([
      'env',
      'install',
      env,
      'mlc-demo-a',
      'mlc-demo-tool'
    ]);
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
    expect(rebased.imported).toEqual(['mlc_demo_a', 'mlc_demo_tool']);
    expect(rebased.pipCheck).toBe('ok');
    expect(rebased.previous).toBe(2);
    expect(treeChecksum(base)).toBe(before);
    // Built beside the env and swapped in: nothing left beside it, and the
    // script pip wrote names the env's own interpreter, not the temporary.
    expect(fs.readdirSync(envs).filter(name => name.startsWith('.'))).toEqual(
      []
    );
    const script = fs.readFileSync(`${env}/bin/mlc-demo-tool`, 'utf-8');
    expect(script).toContain(`${env}/bin/python${fixture.python}`);
    expect(script).not.toContain('.mlc-tmp.');
    const user = testUser();
    expect(
      execFileSync(`${env}/bin/mlc-demo-tool`, [], {
        encoding: 'utf-8',
        uid: user.uid,
        gid: user.gid
      }).trim()
    ).toBe('tool ok');

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

  it("reports pip check's findings in the rebuilt env, run in the install's interpreter", () => {
    const baseC = copyBase(fixture.base, `${fixture.scratch}/imageC`);
    const env = `${envs}/checked`;
    mlc<IEnvCreateResult>([
      'env',
      'create',
      env,
      '--base',
      baseC,
      '--no-kernel'
    ]);
    mlc<IEnvInstallResult>(['env', 'install', env, 'mlc-demo-a']);
    // The update brings an image package that needs a newer mlc-demo-a than the env's.
    const info = `${baseC}/lib/python${fixture.python}/site-packages/mlc_img_needs_a-1.0.dist-info`;
    fs.mkdirSync(info);
    fs.writeFileSync(
      `${info}/METADATA`,
      'Metadata-Version: 2.1\nName: mlc-img-needs-a\nVersion: 1.0\nRequires-Dist: mlc-demo-a>=2\n'
    );
    fs.writeFileSync(`${info}/RECORD`, '');
    fs.chmodSync(info, 0o755);
    const sumC = treeChecksum(baseC);

    const rebased = mlc<IEnvRebaseResult>(['env', 'rebase', env]);
    // "you have mlc-demo-a 1.0": the check saw the rebuilt env's own install.
    expect(rebased.pipCheck).toContain(
      'mlc-img-needs-a 1.0 has requirement mlc-demo-a>=2, but you have mlc-demo-a 1.0'
    );
    expect(rebased.imported).toEqual(['mlc_demo_a']);
    expect(treeChecksum(baseC)).toBe(sumC);
    const log = fs.readFileSync(`${env}/.mlc-install.log`, 'utf-8');
    expect(log).toContain('$ pip check');
    expect(log).not.toContain('mlc-pip-check-');
  });
});
