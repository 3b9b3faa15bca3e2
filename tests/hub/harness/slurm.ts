/**
 * A one-node Slurm cluster for the hub tests (scripts/hub/cluster.sh):
 * munged, slurmctld and slurmd with their own ports and state under
 * build/hub/run/NAME, stopped by their PID files, and jobs submitted as
 * the unprivileged test user.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCommand, type IRunResult } from '../../harness/mlc';
import { REPO } from '../../harness/paths';
import { freePort, waitFor } from './ports';
import { asHubUser } from './user';

export const CLUSTER_SCRIPT = path.join(REPO, 'scripts', 'hub', 'cluster.sh');

export interface ICluster {
  /** SLURM_CONF for the clients. */
  conf: string;
  dir: string;
  stop: () => void;
}

/**
 * Start the cluster in build/hub/run/NAME (what a previous run left there
 * is stopped first, by its PID files).
 */
export async function startCluster(name: string): Promise<ICluster> {
  const dir = path.join(REPO, 'build', 'hub', 'run', name);
  fs.mkdirSync(dir, { recursive: true });
  const ports = [await freePort(), await freePort()];
  const started = runCommand(
    'bash',
    [CLUSTER_SCRIPT, 'start', dir, String(ports[0]), String(ports[1])],
    {
      timeoutMs: 60000
    }
  );
  if (started.code !== 0) {
    runCommand('bash', [CLUSTER_SCRIPT, 'stop', dir], { timeoutMs: 60000 });
    throw new Error(
      `the Slurm cluster did not start: ${started.stderr.trim()}`
    );
  }
  const conf = path.join(dir, 'slurm.conf');
  return {
    conf,
    dir,
    stop: () => {
      runCommand('bash', [CLUSTER_SCRIPT, 'stop', dir], { timeoutMs: 60000 });
    }
  };
}

/** A Slurm client command (sbatch, squeue, scancel...) as root, on this cluster. */
export function slurm(
  cluster: ICluster,
  command: string,
  args: string[]
): IRunResult {
  return runCommand(command, args, {
    env: { SLURM_CONF: cluster.conf },
    timeoutMs: 30000
  });
}

/**
 * Submit a batch script as the hub user (its environment: a clean login's plus `env`); returns the job id.
 * `workDir` must be writable by that user (the job's output goes there).
 */
export function submitAsUser(
  cluster: ICluster,
  script: string,
  workDir: string,
  env: Record<string, string>
): string {
  const submitted = asHubUser(
    'sbatch',
    [
      '--parsable',
      '--chdir',
      workDir,
      '--output',
      path.join(workDir, 'slurm-%j.out'),
      '--export',
      'ALL'
    ],
    {
      env: { SLURM_CONF: cluster.conf, ...env },
      input: script,
      timeoutMs: 30000
    }
  );
  if (submitted.code !== 0) {
    throw new Error(`sbatch failed: ${submitted.stderr.trim()}`);
  }
  return submitted.stdout.trim().split(';')[0];
}

/** Cancel a job and wait (bounded) until Slurm no longer lists it. */
export async function cancelJob(
  cluster: ICluster,
  jobId: string
): Promise<void> {
  slurm(cluster, 'scancel', [jobId]);
  await waitFor(
    `job ${jobId} to end`,
    async () => {
      const listed = slurm(cluster, 'squeue', ['-h', '-j', jobId, '-o', '%T']);
      return listed.stdout.trim() === '' || listed.code !== 0 ? true : null;
    },
    60000
  );
}

/** The job's state as squeue shows it ('' once it is gone). */
export function jobState(cluster: ICluster, jobId: string): string {
  return slurm(cluster, 'squeue', [
    '-h',
    '-j',
    jobId,
    '-o',
    '%T'
  ]).stdout.trim();
}
