/**
 * Scale out (issue 17) in the BNL shape: the kernel runs inside the hub
 * image with rootless podman (`--userns=keep-id`, the home mounted, host
 * network, as the hub's SlurmSpawner job runs the session; Slurm's clients
 * and the cluster's munge socket bound in, as sites bind them into their
 * containers). An extended env in the home holds a wheel only it has;
 * `mlc env dask-config --via podman` makes every worker a Slurm job that runs
 * the same image with podman: the workers return the kernel's prefix, its
 * base (/opt/conda, which the host does not have), image build and package
 * version; a `job-script --via podman` job prints the version; after an
 * upgrade, the new worker refuses and the bounded wait raises its line.
 * A session without Slurm's clients gets one line naming sbatch and scancel
 * from `dask-config`, from mlc_dask's wait and from its SLURMCluster's
 * scale(), and no job is submitted.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildWheel } from '../harness/unprivilegedBase';
import { makeScratch } from '../harness/paths';
import { removeUserContainers } from './harness/containers';
import { HUB_IMAGE, hubImageForUser } from './harness/images';
import {
  lastJson,
  NO_CLIENT_DRIVER,
  NO_CLIENT_LINE,
  PROBE_REFUSAL,
  REFUSAL_DRIVER,
  SCALE_DRIVER,
  type IScaleResult
} from './harness/scaleOut';
import { waitFor } from './harness/ports';
import { sessionRunArgs, SLURM_CLIENT_PATHS } from './harness/session';
import { cancelJob, startCluster, type ICluster } from './harness/slurm';
import { asHubUser, hubUser, podmanEnv } from './harness/user';

let scratch: { dir: string; cleanup: () => void };
let cluster: ICluster;
let home = '';
let env = '';

/** A command as the hub user on the host (the Slurm node), with its podman settings. */
function onHost(
  file: string,
  args: string[],
  timeoutMs = 600000
): ReturnType<typeof asHubUser> {
  return asHubUser(file, args, {
    env: { HOME: home, SLURM_CONF: cluster.conf, ...podmanEnv() },
    timeoutMs,
    cwd: home
  });
}

/** A command inside the image, as the session's container runs (keep-id, home, host network, Slurm clients). */
function inSession(
  args: string[],
  extraEnv: Record<string, string> = {},
  timeoutMs = 600000,
  slurmClients = true
): ReturnType<typeof asHubUser> {
  return onHost(
    'podman',
    sessionRunArgs({
      home,
      readOnly: [...(slurmClients ? SLURM_CLIENT_PATHS : []), cluster.dir],
      env: {
        HOME: home,
        SLURM_CONF: cluster.conf,
        // Jobs submitted from the session inherit it: their podman finds the user's settings.
        ...podmanEnv(),
        ...extraEnv
      },
      image: HUB_IMAGE,
      command: args
    }),
    timeoutMs
  );
}

/** Python as the env's kernel runs it: its kernel.json argv[0] and environment, in the session. */
function runAsKernel(
  code: string,
  slurmClients = true
): ReturnType<typeof asHubUser> {
  const kernels = path.join(home, '.local', 'share', 'jupyter', 'kernels');
  const name = fs.readdirSync(kernels)[0];
  const spec = JSON.parse(
    fs.readFileSync(path.join(kernels, name, 'kernel.json'), 'utf-8')
  ) as { argv: string[]; env: Record<string, string> };
  const kernelEnv = Object.fromEntries(
    Object.entries(spec.env).map(([key, value]) => [
      key,
      value.replace('${PATH}', '/opt/conda/bin:/usr/local/bin:/usr/bin:/bin')
    ])
  );
  const script = path.join(home, `driver-${Date.now()}.py`);
  fs.writeFileSync(script, code);
  fs.chmodSync(script, 0o644);
  return inSession(
    [spec.argv[0], '-s', script],
    kernelEnv,
    600000,
    slurmClients
  );
}

/** `mlc env dask-config` of the env for podman workers of the hub image, as both sessions run it. */
function daskConfigCommand(): string[] {
  return [
    'mlc',
    'env',
    'dask-config',
    env,
    '--via',
    'podman',
    '--image',
    HUB_IMAGE,
    '--scheduler-host',
    '127.0.0.1',
    '--memory',
    '1GiB',
    '--walltime',
    '00:20:00'
  ];
}

function wheel(version: string): string {
  const made = buildWheel(path.join(home, 'wheels'), 'probe_pkg', version);
  const user = hubUser();
  fs.chownSync(path.dirname(made), user.uid, user.gid);
  fs.chownSync(made, user.uid, user.gid);
  return made;
}

beforeAll(async () => {
  scratch = makeScratch('hub-scale-pod');
  const user = hubUser();
  home = path.join(scratch.dir, 'home');
  fs.mkdirSync(home);
  fs.chownSync(home, user.uid, user.gid);
  env = path.join(home, 'podEnv');
  hubImageForUser();
  cluster = await startCluster('scaleout-pod');
}, 3600000);

afterAll(() => {
  cluster?.stop();
  removeUserContainers();
  scratch?.cleanup();
}, 180000);

describe('scale out from an extended env in the image with rootless podman, on Slurm', () => {
  it('creates the env in the session with a package only it has, and the Dask configuration for podman workers', () => {
    const created = inSession(['mlc', 'env', 'create', env]);
    expect(created.code).toBe(0);
    const installed = inSession([
      `${env}/bin/pip`,
      'install',
      '-q',
      '--no-index',
      wheel('1.0')
    ]);
    expect(installed.code).toBe(0);
    const written = inSession(daskConfigCommand());
    expect(written.stderr).toBe('');
    expect(written.code).toBe(0);
  });

  it("in a session without Slurm's clients: dask-config says so in one line, scale() and the bounded wait raise one line, nothing is submitted", () => {
    const written = inSession(daskConfigCommand(), {}, 600000, false);
    expect(written.code).toBe(0);
    expect(written.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^mlc: warning: sbatch and scancel are not on PATH here: /
      )
    ]);
    const ran = runAsKernel(NO_CLIENT_DRIVER, false);
    expect(ran.code).toBe(0);
    expect(lastJson(ran.stdout, ran.stderr)).toEqual({
      wait: ['SchedulerCommandMissing', NO_CLIENT_LINE],
      scale: ['SchedulerCommandMissing', NO_CLIENT_LINE],
      jobs: 0
    });
    const queue = onHost('squeue', ['-h', '-u', hubUser().name]);
    expect(queue.code).toBe(0);
    expect(queue.stdout.trim()).toBe('');
  });

  it('SLURMCluster() scales to 2 podman workers, Slurm jobs of the hub user, running what the kernel runs', () => {
    const ran = runAsKernel(SCALE_DRIVER);
    expect(ran.code).toBe(0);
    const out = lastJson<IScaleResult>(ran.stdout, ran.stderr);
    expect(out.kernel.prefix).toBe(env);
    expect(out.kernel.base).toBe('/opt/conda');
    expect(fs.existsSync('/opt/conda')).toBe(false);
    expect(out.kernel.version).toBe('1.0');
    expect(out.workers).toHaveLength(2);
    for (const worker of out.workers) {
      expect(worker).toEqual(out.kernel);
    }
    for (const job of out.jobs) {
      expect(out.queue).toMatch(
        new RegExp(`^\\s*${job} mlc-hub RUNNING$`, 'm')
      );
    }
  });

  it('a job-script --via podman job, submitted with sbatch on the host, prints the version from the image', () => {
    const script = path.join(home, 'pod-job.sh');
    const written = inSession([
      'mlc',
      'env',
      'job-script',
      env,
      '--via',
      'podman',
      '--image',
      HUB_IMAGE,
      '-o',
      script,
      '--',
      'python',
      '-c',
      'import probe_pkg, sys; print("version", probe_pkg.__version__, sys.prefix, sys.base_prefix)'
    ]);
    expect(written.code).toBe(0);
    const output = path.join(home, 'pod-job.out');
    const submitted = onHost('sbatch', ['--wait', '--output', output, script]);
    expect(submitted.code).toBe(0);
    expect(fs.readFileSync(output, 'utf-8')).toContain(
      `version 1.0 ${env} /opt/conda`
    );
  });

  it('a podman job ended by scancel leaves no container behind', async () => {
    const script = path.join(home, 'long-job.sh');
    const written = inSession([
      'mlc',
      'env',
      'job-script',
      env,
      '--via',
      'podman',
      '--image',
      HUB_IMAGE,
      '-o',
      script,
      '--',
      'python',
      '-c',
      'import time; print("up", flush=True); time.sleep(600)'
    ]);
    expect(written.code).toBe(0);
    const output = path.join(home, 'long-job.out');
    const submitted = onHost('sbatch', [
      '--parsable',
      '--output',
      output,
      script
    ]);
    expect(submitted.code).toBe(0);
    const jobId = submitted.stdout.trim().split(';')[0];
    const containers = (): string[] =>
      onHost('podman', ['ps', '-q', '--filter', `name=^mlc-worker-${jobId}-`])
        .stdout.split('\n')
        .filter(line => line.trim() !== '');
    await waitFor(
      'the job to start its container',
      async () =>
        fs.existsSync(output) &&
        fs.readFileSync(output, 'utf-8').includes('up') &&
        containers().length === 1
          ? true
          : null,
      300000
    );
    await cancelJob(cluster, jobId);
    await waitFor(
      "the job's container to be gone",
      async () => (containers().length === 0 ? true : null),
      120000
    );
  });

  it('after an upgrade in the env, a new podman worker refuses in one line and the wait raises it', () => {
    const upgraded = inSession([
      `${env}/bin/pip`,
      'install',
      '-q',
      '--no-index',
      wheel('2.0')
    ]);
    expect(upgraded.code).toBe(0);
    const ran = runAsKernel(REFUSAL_DRIVER);
    expect(ran.code).toBe(0);
    const error = lastJson<{ error: string }>(ran.stdout, ran.stderr).error;
    expect(error).toMatch(PROBE_REFUSAL);
  });
});
