/**
 * `mlc env worker-command`, `job-script` and `dask-config` on a real env
 * (issue 17), as the unprivileged user, in host mode: the command runs the
 * env's Python, the fingerprint check refuses a changed env in one line,
 * the Slurm script runs the command in the env, the HTCondor submit
 * description keeps to the documented syntax, and bad input is one line
 * with nothing written. Slurm itself: tests/hub/scaleOut.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCommand } from '../harness/mlc';
import { REPO } from '../harness/paths';
import {
  buildWheel,
  mlcAsUser,
  resultData,
  runAsUser,
  useEnvFixture,
  userDir,
  type IUserPlaces
} from '../harness/unprivilegedBase';
import type { IWorkerCommand } from '../../src/cli/env/workerCommand';
import { encodeWireRequest } from '../../src/core/wire';
import { daskFormProblem } from '../../src/lab/envActions/daskConfigView';
import { daskConfigArgs } from '../../src/lab/envActions/mlcArgs';
import { englishBundle } from '../unit/launcherDomHelpers';

const fixture = useEnvFixture('env-scale-out');
let places: IUserPlaces;
let env: string;
let out: string;
let wheels: string;

beforeAll(() => {
  places = fixture.places;
  out = userDir(`${fixture.scratch}/out`);
  wheels = `${fixture.scratch}/wheels`;
  env = `${userDir(`${fixture.scratch}/envs`)}/scaleEnv`;
  const created = mlcAsUser(
    ['env', 'create', env, '--base', fixture.base, '--no-kernel'],
    places
  );
  expect(created.code).toBe(0);
  install(buildWheel(wheels, 'probe_scale', '1.0'));
});

function install(wheel: string): void {
  fs.chmodSync(wheels, 0o755);
  fs.chmodSync(wheel, 0o644);
  const installed = runAsUser(
    `${env}/bin/pip`,
    ['install', '-q', '--no-index', wheel],
    places
  );
  expect(installed.stderr).toBe('');
  expect(installed.code).toBe(0);
}

function workerArgv(): string[] {
  const run = mlcAsUser(['env', 'worker-command', env, '--json'], places);
  expect(run.code).toBe(0);
  return resultData<IWorkerCommand>(run).argv;
}

describe('mlc env worker-command', () => {
  it("runs the env's Python with the arguments appended, and refuses in one line once a package changed", () => {
    const argv = workerArgv();
    const code =
      'import sys, probe_scale; print(sys.prefix, probe_scale.__version__)';
    const ran = runAsUser(argv[0], [...argv.slice(1), '-c', code], places);
    expect(ran.stderr).toBe('');
    expect(ran.stdout.trim()).toBe(`${env} 1.0`);
    // The printed line is the same command for a shell.
    const line = mlcAsUser(
      ['env', 'worker-command', env],
      places
    ).stdout.trim();
    const viaShell = runAsUser(
      '/bin/sh',
      ['-c', `${line} -c 'import sys; print(sys.prefix)'`],
      places
    );
    expect(viaShell.stdout.trim()).toBe(env);

    install(buildWheel(wheels, 'probe_scale', '2.0'));
    const refused = runAsUser(argv[0], [...argv.slice(1), '-c', code], places);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toEqual([
      'mlc worker: refusing to start: package probe_scale differs: the kernel had 1.0, here 2.0; run the mlc env command (worker-command, dask-config or job-script) again'
    ]);
  });

  it('names a conda package the env installed itself, and not the copies of the base records', () => {
    const argv = workerArgv();
    const record = `${env}/conda-meta/tinylib-0.3-h0_1.json`;
    fs.writeFileSync(record, '{}');
    try {
      const refused = runAsUser(
        argv[0],
        [...argv.slice(1), '-c', 'pass'],
        places
      );
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain(
        'package tinylib differs: the kernel had none, here 0.3-h0_1;'
      );
    } finally {
      fs.rmSync(record);
    }
    expect(
      runAsUser(argv[0], [...argv.slice(1), '-c', 'pass'], places).code
    ).toBe(0);
  });

  it('enters podman and apptainer with the image and binds', () => {
    const podman = resultData<IWorkerCommand>(
      mlcAsUser(
        [
          'env',
          'worker-command',
          env,
          '--via',
          'podman',
          '--image',
          'localhost/ml:1',
          '--json'
        ],
        places
      )
    ).argv;
    // sh runs `podman run --name N "$@"`, stopping N when the job is ended.
    expect(podman.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(podman[2]).toContain('podman run --name "$n" "$@"');
    expect(podman.slice(3, 7)).toEqual([
      'mlc-podman',
      '--rm',
      '--network',
      'host'
    ]);
    expect(podman).toContain(`${places.home}:${places.home}`);
    expect(podman[podman.lastIndexOf('/bin/sh') - 1]).toBe('localhost/ml:1');
    const apptainer = resultData<IWorkerCommand>(
      mlcAsUser(
        [
          'env',
          'worker-command',
          env,
          '--via',
          'apptainer',
          '--image',
          fixture.base,
          '--json'
        ],
        places
      )
    ).argv;
    expect(apptainer.slice(0, 3)).toEqual(['apptainer', 'exec', fixture.base]);
  });

  it('refuses an Apptainer image that is gone, and an image value that would be an option, in one line', () => {
    for (const image of [`${fixture.scratch}/gone.sif`, '--privileged']) {
      const run = mlcAsUser(
        ['env', 'worker-command', env, '--via', 'apptainer', '--image', image],
        places
      );
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('mlc env job-script', () => {
  it('writes an sbatch script whose command runs in the env, directives first', () => {
    const script = `${out}/job.sh`;
    const run = mlcAsUser(
      [
        'env',
        'job-script',
        env,
        '--partition',
        'debug',
        '--time',
        '1:00:00',
        '--cpus',
        '2',
        '--mem',
        '4G',
        '--account',
        'atlas',
        '-o',
        script,
        '--',
        'python',
        '-c',
        'import probe_scale; print("v", probe_scale.__version__)'
      ],
      places
    );
    expect(run.code).toBe(0);
    const text = fs.readFileSync(script, 'utf-8');
    expect(text.split('\n').slice(0, 6)).toEqual([
      '#!/bin/sh',
      '#SBATCH --partition=debug',
      '#SBATCH --time=1:00:00',
      '#SBATCH --cpus-per-task=2',
      '#SBATCH --mem=4G',
      '#SBATCH --account=atlas'
    ]);
    const ran = runAsUser('/bin/sh', [script], places);
    expect(ran.stdout.trim()).toBe('v 2.0');
  });

  it('writes an HTCondor submit description in the documented syntax, with the same wrapper', () => {
    const submit = `${out}/job.sub`;
    const run = mlcAsUser(
      [
        'env',
        'job-script',
        env,
        '--scheduler',
        'htcondor',
        '--cpus',
        '2',
        '--mem',
        '4G',
        '--time',
        '1-00:00:00',
        '--account',
        'group_atlas',
        '-o',
        submit,
        '--',
        'python',
        '-c',
        'print("condor")'
      ],
      places
    );
    expect(run.code).toBe(0);
    const lines = fs.readFileSync(submit, 'utf-8').trim().split('\n');
    // HTCondor manual, submit description: comments, `command = value`, and `queue` last.
    for (const line of lines.slice(0, -1)) {
      expect(line).toMatch(/^(#.*|[A-Za-z_+][A-Za-z0-9_.+]* = [^\n]*)$/);
    }
    expect(lines[lines.length - 1]).toBe('queue');
    expect(lines).toContain(`executable = ${submit}.sh`);
    expect(lines).toContain('request_cpus = 2');
    expect(lines).toContain('request_memory = 4096');
    expect(lines).toContain('allowed_job_duration = 86400');
    expect(lines).toContain('accounting_group = group_atlas');
    expect(runAsUser(`${submit}.sh`, [], places).stdout.trim()).toBe('condor');
  });

  it.each([
    ['--partition', 'x;rm -rf ~'],
    ['--account', 'a\n#SBATCH --uid=0'],
    ['--time', '1:00 #SBATCH'],
    ['--mem', '4G\n'],
    ['--cpus', '-1'],
    ['--scheduler', 'pbs']
  ])('refuses %s %j in one line and writes nothing', (flag, value) => {
    const script = `${out}/refused.sh`;
    const run = mlcAsUser(
      ['env', 'job-script', env, flag, value, '-o', script, '--', 'true'],
      places
    );
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(script)).toBe(false);
  });

  it('refuses an env that is not an mlc env, or is gone, in one line', () => {
    for (const target of [out, `${out}/gone`]) {
      const run = mlcAsUser(
        ['env', 'job-script', target, '--', 'true'],
        places
      );
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('mlc env dask-config', () => {
  it("writes jobqueue.slurm with the worker command and the panel's factory into <env>/etc/dask", () => {
    const run = mlcAsUser(
      [
        'env',
        'dask-config',
        env,
        '--cores',
        '2',
        '--memory',
        '4GiB',
        '--walltime',
        '02:00:00',
        '--queue',
        'debug',
        '--account',
        'atlas',
        '--json'
      ],
      places
    );
    expect(run.code).toBe(0);
    const file = `${env}/etc/dask/mlc-scale-out.yaml`;
    const text = fs.readFileSync(file, 'utf-8');
    const config = JSON.parse(text.replace(/^#.*\n/gm, '')) as {
      jobqueue: { slurm: Record<string, unknown> };
      labextension: { factory: Record<string, unknown> };
    };
    const line = mlcAsUser(
      ['env', 'worker-command', env],
      places
    ).stdout.trim();
    expect(config.jobqueue.slurm).toMatchObject({
      cores: 2,
      memory: '4GiB',
      walltime: '02:00:00',
      queue: 'debug',
      account: 'atlas',
      python: line
    });
    expect(config.labextension.factory).toMatchObject({
      module: 'dask_jobqueue',
      class: 'SLURMCluster'
    });
    // The helper module is there, and the fingerprint did not change by writing it.
    expect(
      fs.existsSync(
        `${env}/lib/python${fixture.python}/site-packages/mlc_dask.py`
      )
    ).toBe(true);
    const argv = workerArgv();
    expect(
      runAsUser(argv[0], [...argv.slice(1), '-c', 'import mlc_dask'], places)
        .code
    ).toBe(0);
  });

  it("with --panel, writes the Dask panel's factory with every argument into the user's ~/.config/dask", () => {
    const run = mlcAsUser(
      ['env', 'dask-config', env, '--queue', 'debug', '--panel'],
      places
    );
    expect(run.code).toBe(0);
    const text = fs.readFileSync(
      `${places.home}/.config/dask/mlc-dask-panel.yaml`,
      'utf-8'
    );
    const panel = JSON.parse(text.replace(/^#.*\n/gm, '')) as {
      labextension: { factory: { kwargs: Record<string, unknown> } };
    };
    const line = mlcAsUser(
      ['env', 'worker-command', env],
      places
    ).stdout.trim();
    expect(panel.labextension.factory.kwargs).toMatchObject({
      queue: 'debug',
      python: line,
      log_directory: `${env}/var/log/dask`
    });
  });

  it('refuses a hostile queue in one line and writes nothing', () => {
    const output = `${out}/dask.yaml`;
    const run = mlcAsUser(
      ['env', 'dask-config', env, '--queue', 'x;rm -rf ~', '-o', output],
      places
    );
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(output)).toBe(false);
  });

  it("takes the Scale Out form's argument list over the wire, and refuses exactly what the form refuses", () => {
    const form = {
      prefix: env,
      cores: '3',
      memory: '6GiB',
      walltime: '00:30:00',
      queue: 'debug',
      account: 'atlas',
      panel: false
    };
    const wire = (args: string[]) =>
      mlcAsUser(
        [
          '--wire',
          encodeWireRequest({ nonce: '0123456789abcdef01234567', args })
        ],
        places
      );
    const run = wire(daskConfigArgs(form));
    expect(run.code).toBe(0);
    const text = fs.readFileSync(`${env}/etc/dask/mlc-scale-out.yaml`, 'utf-8');
    const config = JSON.parse(text.replace(/^#.*\n/gm, '')) as {
      jobqueue: { slurm: Record<string, unknown> };
    };
    expect(config.jobqueue.slurm).toMatchObject({
      cores: 3,
      memory: '6GiB',
      walltime: '00:30:00',
      queue: 'debug',
      account: 'atlas'
    });
    const cases: Array<[keyof typeof form, string]> = [
      ['cores', '0'],
      ['cores', '12'],
      ['memory', '1.5 GB'],
      ['memory', 'much'],
      ['walltime', '1-00:00:00'],
      ['walltime', '1h'],
      ['queue', '--panel'],
      ['account', 'a b'],
      ['account', 'proj@site']
    ];
    cases.forEach(([field, value], index) => {
      const values = { ...form, [field]: value };
      const output = `${out}/form-${index}.yaml`;
      const answer = wire([...daskConfigArgs(values), '-o', output]);
      const accepted = daskFormProblem(values, englishBundle) === null;
      expect([field, value, answer.code === 0]).toEqual([
        field,
        value,
        accepted
      ]);
      expect(fs.existsSync(output)).toBe(accepted);
    });
  });
});

/** A PATH for the user with no batch system on it (only a directory of ours). */
function pathWithout(): string {
  const dir = userDir(`${fixture.scratch}/no-slurm-bin`);
  return dir;
}

/** Every path under `dir` (not following links): what a command may have written. */
function treeOf(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string): void => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      found.push(full);
      if (entry.isDirectory()) {
        walk(full);
      }
    }
  };
  walk(dir);
  return found.sort();
}

describe("the batch system's commands not on PATH", () => {
  it('job-script and dask-config write their file and nothing else, and say in one line what is missing', () => {
    const noSlurm = { env: { PATH: pathWithout() } };
    const envBefore = treeOf(env);
    const outBefore = treeOf(out);
    const script = `${out}/no-sbatch.sh`;
    const job = mlcAsUser(
      ['env', 'job-script', env, '-o', script, '--', 'true'],
      places,
      noSlurm
    );
    expect(job.code).toBe(0);
    expect(job.stderr.trim().split('\n')).toEqual([
      "mlc: warning: sbatch is not on PATH here: submit the script where Slurm's client is (a login node)"
    ]);
    const config = `${out}/no-sbatch.yaml`;
    const dask = mlcAsUser(
      ['env', 'dask-config', env, '-o', config],
      places,
      noSlurm
    );
    expect(dask.code).toBe(0);
    expect(dask.stderr.trim().split('\n')).toEqual([
      "mlc: warning: sbatch and scancel are not on PATH here: SLURMCluster() in the env's kernel starts workers only where Slurm's client commands are (a login node, or a session with them bound in)"
    ]);
    expect(treeOf(out)).toEqual([...outBefore, config, script].sort());
    expect(treeOf(env)).toEqual(envBefore);
    // HTCondor's client is not installable here: the same line for condor_submit.
    const submit = `${out}/no-condor.sub`;
    const condor = mlcAsUser(
      [
        'env',
        'job-script',
        env,
        '--scheduler',
        'htcondor',
        '-o',
        submit,
        '--',
        'true'
      ],
      places,
      noSlurm
    );
    expect(condor.code).toBe(0);
    expect(condor.stderr).toMatch(
      /^mlc: warning: condor_submit is not on PATH here: [^\n]*\n$/
    );
  });

  it('mlc_dask raises one line naming sbatch and scancel at the wait and at scale(), and nothing is submitted', () => {
    // dask-config into the env (the kernel's DASK_CONFIG) and its mlc_dask module.
    expect(mlcAsUser(['env', 'dask-config', env], places).code).toBe(0);
    const fakeBin = userDir(`${fixture.scratch}/fake-slurm-bin`);
    for (const name of ['sbatch', 'scancel']) {
      fs.writeFileSync(`${fakeBin}/${name}`, '#!/bin/sh\nexit 1\n');
      fs.chmodSync(`${fakeBin}/${name}`, 0o755);
    }
    const code = `
import json, os
from dask_jobqueue import SLURMCluster
import mlc_dask
out = {}
def failure(work):
    try:
        work()
        return None
    except Exception as error:
        return [type(error).__name__, str(error)]
cluster = SLURMCluster(scheduler_options={"host": "127.0.0.1"})
cluster.scale(2)  # dask_jobqueue's own: returns; its sbatch fails in a background task
out["wait"] = failure(lambda: mlc_dask.wait_for_workers(cluster, 2, timeout=60))
failure(cluster.close)  # its failed worker jobs make close() assert: not ours to judge
cluster = mlc_dask.SLURMCluster(scheduler_options={"host": "127.0.0.1"})
out["subclass"] = isinstance(cluster, SLURMCluster)
out["scale"] = failure(lambda: cluster.scale(2))
out["adapt"] = failure(lambda: cluster.adapt(minimum=1, maximum=2))
out["jobs"] = len(cluster.workers)
os.environ["PATH"] = ${JSON.stringify(fakeBin)}
out["found"] = failure(lambda: mlc_dask.require_scheduler_commands(cluster))
cluster.close()
print(json.dumps(out))
`;
    // As the runner: .venv's interpreter lives under /root; the module and the
    // configuration are the env's, dask-jobqueue the pinned one (requirements-dev.txt).
    const ran = runCommand(
      path.join(REPO, '.venv', 'bin', 'python'),
      ['-c', code],
      {
        env: {
          ...places.env,
          PATH: pathWithout(),
          DASK_CONFIG: `${env}/etc/dask`,
          PYTHONPATH: `${env}/lib/python${fixture.python}/site-packages`
        },
        timeoutMs: 150000
      }
    );
    expect({
      code: ran.code,
      stderr: ran.code === 0 ? '' : ran.stderr.slice(-3000)
    }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(ran.stdout.trim().split('\n').pop() ?? '') as {
      wait: [string, string] | null;
      scale: [string, string] | null;
      adapt: [string, string] | null;
      subclass: boolean;
      jobs: number;
      found: null | [string, string];
    };
    const line =
      "sbatch and scancel were not found on PATH: this env's Dask configuration submits each worker as a Slurm job, so nothing was submitted; run the notebook where Slurm's client commands are (a login node, or a session with sbatch and scancel bound in) or add their directory to PATH";
    expect(result).toEqual({
      wait: ['SchedulerCommandMissing', line],
      subclass: true,
      scale: ['SchedulerCommandMissing', line],
      adapt: ['SchedulerCommandMissing', line],
      jobs: 0,
      found: null
    });
  }, 180000);
});
