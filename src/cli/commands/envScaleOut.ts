/**
 * `mlc env worker-command | job-script | dask-config`: scale an env out to
 * Dask workers and batch jobs that run the same image and env as its kernel
 * (issue 17; README "Scale out"). The command line and wording; the work is
 * in ../env/workerCommand.ts, jobScript.ts and daskConfig.ts.
 */
import * as path from 'path';
import type { Command } from 'commander';
import type { ICliContext } from '../context';
import { writeDaskConfig } from '../env/daskConfig';
import { jobScript } from '../env/jobScript';
import { workerCommand } from '../env/workerCommand';
import { fsUserError } from '../fs/errors';
import { writeFileStaged } from '../fs/stagedWrite';
import { findOnPath } from '../kernels/jupyterProbe';

export function registerEnvScaleOutCommands(
  env: Command,
  context: ICliContext
): void {
  const reporter = context.reporter;

  env
    .command('worker-command')
    .description(
      "print the command that runs the env's Python in the kernel's image (append Python's arguments); it refuses to start when the env changed"
    )
    .argument('<env>', 'the env')
    .option(
      '--via <entry>',
      'how the image is entered: host, podman, apptainer or singularity (default: as the env was made)'
    )
    .option(
      '--image <image>',
      'podman: the image reference; apptainer: the image (default: from the env)'
    )
    .action((envPath: string, options: { via?: string; image?: string }) => {
      const result = Private.safely(`reading the env ${envPath}`, () =>
        workerCommand({ env: envPath, ...options }, context)
      );
      reporter.result('env worker-command', result, result.line);
    });

  env
    .command('job-script')
    .description(
      'write a batch job that runs COMMAND in the env and its image (fingerprint checked first): sbatch script or HTCondor submit description'
    )
    .argument('<env>', 'the env')
    .argument('<command...>', 'the command and its arguments, after --')
    .option('--scheduler <name>', 'slurm (default) or htcondor')
    .option('--partition <name>', 'Slurm partition')
    .option('--time <limit>', 'time limit, e.g. 2:00:00')
    .option('--cpus <n>', 'CPUs for the job')
    .option('--mem <size>', 'memory, e.g. 4G')
    .option('--account <name>', 'account to charge')
    .option('--via <entry>', 'how the image is entered (as worker-command)')
    .option('--image <image>', 'the image (as worker-command)')
    .option(
      '-o, --output <file>',
      'write the script here (default: print it); HTCondor: also FILE.sh'
    )
    .action(
      (
        envPath: string,
        command: string[],
        options: Omit<Parameters<typeof jobScript>[0], 'env' | 'command'> & {
          output?: string;
        }
      ) => {
        const { output, ...rest } = options;
        const target =
          output !== undefined ? path.resolve(context.cwd, output) : undefined;
        const script = Private.safely('writing the job script', () => {
          const built = jobScript(
            { env: envPath, command, ...rest },
            context,
            target !== undefined ? `${target}.sh` : undefined
          );
          if (target !== undefined) {
            if (built.wrapper !== undefined) {
              writeFileStaged(`${target}.sh`, built.wrapper, 0o755);
            }
            writeFileStaged(
              target,
              built.text,
              built.scheduler === 'slurm' ? 0o755 : 0o644
            );
          }
          return built;
        });
        Private.warnMissing(
          context,
          script.scheduler === 'slurm' ? ['sbatch'] : ['condor_submit'],
          script.scheduler === 'slurm'
            ? "submit the script where Slurm's client is (a login node)"
            : "submit it where HTCondor's client is (an access point)"
        );
        if (target === undefined) {
          if (reporter.machine) {
            reporter.result('env job-script', script, '');
          } else {
            process.stdout.write(script.text);
          }
          return;
        }
        reporter.result(
          'env job-script',
          { ...script, file: target },
          script.scheduler === 'slurm'
            ? `Wrote ${target}; submit it with: sbatch ${target}`
            : `Wrote ${target} and ${target}.sh; submit with: condor_submit ${target}`
        );
      }
    );

  env
    .command('dask-config')
    .description(
      "write dask-jobqueue's and the Dask panel's configuration into the env: SLURMCluster() workers run the env in its image"
    )
    .argument('<env>', 'the env')
    .option('--scheduler <name>', 'slurm (the only one for Dask)')
    .option('--cores <n>', 'cores per worker job (default 1)')
    .option('--memory <size>', 'memory per worker job (default 2GiB)')
    .option(
      '--walltime <limit>',
      'time limit per worker job (default 01:00:00)'
    )
    .option('--queue <name>', 'Slurm partition')
    .option('--account <name>', 'account to charge')
    .option(
      '--scheduler-host <host>',
      'address the Dask scheduler listens on (e.g. 127.0.0.1)'
    )
    .option('--via <entry>', 'how the image is entered (as worker-command)')
    .option('--image <image>', 'the image (as worker-command)')
    .option('-o, --output <file>', 'write here instead of <env>/etc/dask/')
    .option(
      '--panel',
      "also make this env's cluster the Dask panel's New (writes ~/.config/dask/mlc-dask-panel.yaml, read by the Jupyter server)"
    )
    .action(
      (
        envPath: string,
        options: Omit<Parameters<typeof writeDaskConfig>[0], 'env'>
      ) => {
        const result = Private.safely('writing the Dask configuration', () =>
          writeDaskConfig({ env: envPath, ...options }, context)
        );
        Private.warnMissing(
          context,
          ['sbatch', 'scancel'],
          "SLURMCluster() in the env's kernel starts workers only where Slurm's client commands are (a login node, or a session with them bound in)"
        );
        reporter.result(
          'env dask-config',
          result,
          [
            `Wrote ${result.file} (fingerprint ${result.fingerprint})${result.panel ? ` and ${result.panel}` : ''}`,
            "In a notebook on the env's kernel: from dask_jobqueue import SLURMCluster; cluster = SLURMCluster(); cluster.scale(2)",
            '  then: import mlc_dask; mlc_dask.wait_for_workers(cluster, 2, timeout=300)  (a bounded wait that says why workers did not come)',
            result.panel
              ? 'The Dask panel\'s "New" button starts the same cluster.'
              : 'For the Dask panel\'s "New" button: add --panel.'
          ].join('\n')
        );
      }
    );
}

namespace Private {
  /**
   * The file is written either way (it may be meant for another node), but
   * a batch system's commands missing here are said in one line: what
   * dask-jobqueue would otherwise report as a FileNotFoundError traceback.
   */
  export function warnMissing(
    context: ICliContext,
    commands: string[],
    hint: string
  ): void {
    const missing = commands.filter(
      name => findOnPath(name, context.env.PATH ?? '', context.cwd) === null
    );
    if (missing.length > 0) {
      context.reporter.warning(
        `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not on PATH here: ${hint}`
      );
    }
  }

  export function safely<T>(action: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw fsUserError(error, action);
    }
  }
}
