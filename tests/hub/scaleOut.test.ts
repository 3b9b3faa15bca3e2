/**
 * Scale out (issue 17) in the CVMFS host-mode shape: the hub image's prefix
 * mounted read-only, an extended env in the hub user's home holding a wheel
 * only the env has, `mlc env dask-config` written into it, then, with the
 * env kernel's own argv and environment: `SLURMCluster()` scales to two
 * Slurm jobs whose workers return the kernel's sys.prefix, image build and
 * package version; a job from `mlc env job-script` run by sbatch prints the
 * version; after the env changed, a new worker refuses in one line and the
 * bounded wait raises with that line instead of hanging.
 */
import * as fs from 'fs';
import * as path from 'path';
import { makeScratch } from '../harness/paths';
import {
  buildWheel as buildProbeWheel,
  treeChecksum
} from '../harness/unprivilegedBase';
import { hubPrefix } from './harness/images';
import { mountReadOnly, unmount } from './harness/mount';
import { startCluster, type ICluster } from './harness/slurm';
import {
  lastJson,
  PROBE_REFUSAL,
  REFUSAL_DRIVER,
  SCALE_DRIVER,
  type IScaleResult
} from './harness/scaleOut';
import { asHubUser, hubUser } from './harness/user';

const MOUNT_AT = 'unpacked.cern.ch/registry.local/ml-scale-out/opt/conda';
const LOGIN_PATH = '/usr/local/bin:/usr/bin:/bin';

let scratch: { dir: string; cleanup: () => void };
let cluster: ICluster | null = null;
let base = '';
let baseBefore = '';
let home = '';
let env = '';
let wheels = '';

/** A wheel of `probe_pkg` at `version` (built on the host), readable by the hub user. */
function buildWheel(version: string): string {
  return buildProbeWheel(wheels, 'probe_pkg', version);
}

/** A command as the hub user with HOME in the scratch and the cluster's SLURM_CONF. */
function asUser(
  file: string,
  args: string[],
  extra: Record<string, string> = {},
  timeoutMs = 300000
): ReturnType<typeof asHubUser> {
  return asHubUser(file, args, {
    env: { HOME: home, SLURM_CONF: (cluster as ICluster).conf, ...extra },
    timeoutMs,
    cwd: home
  });
}

function mlc(args: string[]): ReturnType<typeof asHubUser> {
  return asUser(`${base}/bin/mlc`, args);
}

/** Run Python code as the env's kernel runs: its kernel.json argv[0] and environment. */
function runAsKernel(
  code: string,
  timeoutMs = 600000
): ReturnType<typeof asHubUser> {
  const kernels = path.join(home, '.local', 'share', 'jupyter', 'kernels');
  // The env's kernel is the only one registered in this home.
  const name = fs.readdirSync(kernels)[0];
  const spec = JSON.parse(
    fs.readFileSync(path.join(kernels, name as string, 'kernel.json'), 'utf-8')
  ) as { argv: string[]; env: Record<string, string> };
  const kernelEnv = Object.fromEntries(
    Object.entries(spec.env).map(([key, value]) => [
      key,
      value.replace('${PATH}', LOGIN_PATH).replace(/\$\$/g, '$')
    ])
  );
  expect(kernelEnv.DASK_CONFIG).toBe(`${env}/etc/dask`);
  const script = path.join(home, `driver-${Date.now()}.py`);
  fs.writeFileSync(script, code);
  fs.chmodSync(script, 0o644);
  return asUser(spec.argv[0], ['-s', script], kernelEnv, timeoutMs);
}

beforeAll(async () => {
  scratch = makeScratch('hub-scale');
  const prefix = hubPrefix();
  baseBefore = treeChecksum(prefix);
  base = mountReadOnly(prefix, MOUNT_AT);
  const user = hubUser();
  home = path.join(scratch.dir, 'home');
  wheels = path.join(scratch.dir, 'wheels');
  fs.mkdirSync(home);
  fs.mkdirSync(wheels);
  fs.chmodSync(wheels, 0o755);
  fs.chownSync(home, user.uid, user.gid);
  env = path.join(home, 'myEnv');
  cluster = await startCluster('scaleout');
}, 1800000);

afterAll(() => {
  if (cluster) {
    cluster.stop();
  }
  if (base) {
    unmount(base);
  }
  scratch?.cleanup();
}, 180000);

describe('scale out from an extended env in host mode, on Slurm', () => {
  it('creates the env with a package only it has, and writes the Dask configuration into it', () => {
    const created = mlc(['env', 'create', env]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const installed = asUser(`${env}/bin/pip`, [
      'install',
      '-q',
      '--no-index',
      buildWheel('1.0')
    ]);
    expect(installed.code).toBe(0);
    const written = mlc([
      'env',
      'dask-config',
      env,
      '--scheduler-host',
      '127.0.0.1',
      '--memory',
      '1GiB',
      '--walltime',
      '00:20:00'
    ]);
    expect(written.code).toBe(0);
    expect(
      fs.existsSync(path.join(env, 'etc', 'dask', 'mlc-scale-out.yaml'))
    ).toBe(true);
  });

  it('SLURMCluster() scales to 2 workers, Slurm jobs of the hub user, running what the kernel runs', () => {
    const ran = runAsKernel(SCALE_DRIVER);
    expect(ran.code).toBe(0);
    const out = lastJson<IScaleResult>(ran.stdout, ran.stderr);
    expect(out.kernel.prefix).toBe(env);
    expect(out.kernel.version).toBe('1.0');
    expect(out.workers).toHaveLength(2);
    for (const worker of out.workers) {
      expect(worker).toEqual(out.kernel);
    }
    expect(out.jobs).toHaveLength(2);
    for (const job of out.jobs) {
      expect(out.queue).toMatch(
        new RegExp(`^\\s*${job} mlc-hub RUNNING$`, 'm')
      );
    }
  });

  it('a job from mlc env job-script, submitted with sbatch, prints the package version', () => {
    const script = path.join(home, 'job.sh');
    const written = mlc([
      'env',
      'job-script',
      env,
      '--time',
      '10:00',
      '--cpus',
      '1',
      '-o',
      script,
      '--',
      'python',
      '-c',
      'import probe_pkg, sys; print("version", probe_pkg.__version__, sys.prefix)'
    ]);
    expect(written.code).toBe(0);
    const output = path.join(home, 'job.out');
    const submitted = asUser(
      'sbatch',
      ['--wait', '--output', output, script],
      {},
      600000
    );
    expect(submitted.code).toBe(0);
    expect(fs.readFileSync(output, 'utf-8')).toContain(`version 1.0 ${env}`);
  });

  it('after the env changed, a new worker refuses in one line and the wait raises it instead of hanging', () => {
    const upgraded = asUser(`${env}/bin/pip`, [
      'install',
      '-q',
      '--no-index',
      buildWheel('2.0')
    ]);
    expect(upgraded.code).toBe(0);
    const ran = runAsKernel(REFUSAL_DRIVER);
    expect(ran.code).toBe(0);
    const error = lastJson<{ error: string }>(ran.stdout, ran.stderr).error;
    expect(error).toMatch(PROBE_REFUSAL);
    const logs = fs
      .readdirSync(path.join(env, 'var', 'log', 'dask'))
      .filter(name => name.endsWith('.err'));
    const refusing = logs.filter(name =>
      fs
        .readFileSync(path.join(env, 'var', 'log', 'dask', name), 'utf-8')
        .includes(error)
    );
    expect(refusing.length).toBeGreaterThanOrEqual(1);
  });

  it('wrote nothing under the base', () => {
    expect(treeChecksum(hubPrefix())).toBe(baseBefore);
  });
});
