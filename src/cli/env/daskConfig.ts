/**
 * `mlc env dask-config`: dask-jobqueue's `jobqueue.slurm` section, with
 * `python:` set to the env's worker command (./workerCommand.ts), and
 * dask-labextension's `labextension.factory` naming `SLURMCluster`, written
 * into `<env>/etc/dask/`, which the env's kernel names in DASK_CONFIG
 * (src/core/kernelspec.ts). Beside it, in the env's site-packages, a small
 * module `mlc_dask` whose `wait_for_workers` waits a bounded time and, when a
 * worker refused to start, raises with the worker's one line (dask-jobqueue
 * waits forever by default).
 *
 * The file is YAML in JSON's flow style (every JSON text is YAML that
 * PyYAML reads), so no YAML writer is needed and any value is escaped.
 */
import * as path from 'path';
import { DASK_CORES, DASK_MEMORY, DASK_WALLTIME } from '../../core/daskArgs';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { ensureRealDirectory } from '../fs/realDir';
import { writeFileStaged } from '../fs/stagedWrite';
import { directiveValue, shownValue } from './directiveValue';
import { requireEnvRecord } from './existing';
import { workerCommand } from './workerCommand';
import { MLC_DASK_PY } from './mlcDaskModule';

export const DASK_CONFIG_FILE = 'mlc-scale-out.yaml';
/** In ~/.config/dask with --panel. */
export const DASK_PANEL_FILE = 'mlc-dask-panel.yaml';

export interface IDaskConfigOptions {
  env: string;
  scheduler?: string;
  cores?: string;
  memory?: string;
  walltime?: string;
  queue?: string;
  account?: string;
  /** The address the scheduler listens on (e.g. 127.0.0.1 on one machine). */
  schedulerHost?: string;
  via?: string;
  image?: string;
  /** Write here instead of `<env>/etc/dask/mlc-scale-out.yaml`. */
  output?: string;
  /** Also make this env's cluster the Dask panel's (the server's ~/.config/dask). */
  panel?: boolean;
}

/** The `data` of `mlc env dask-config`'s result. */
export interface IDaskConfigResult {
  env: string;
  file: string;
  /** The helper module written into the env (absent with -o). */
  helper?: string;
  /** With --panel: the Dask panel's configuration file written. */
  panel?: string;
  fingerprint: string;
  logDirectory: string;
}

/** Write the configuration; returns where. */
export function writeDaskConfig(
  options: IDaskConfigOptions,
  context: ICliContext
): IDaskConfigResult {
  if ((options.scheduler ?? 'slurm') !== 'slurm') {
    throw new UserError(
      `--scheduler "${shownValue(options.scheduler ?? '')}" is not supported for Dask`,
      'use --scheduler slurm (HTCondor: mlc env job-script --scheduler htcondor)'
    );
  }
  const worker = workerCommand(
    {
      env: options.env,
      ...(options.via !== undefined ? { via: options.via } : {}),
      ...(options.image !== undefined ? { image: options.image } : {})
    },
    context
  );
  const record = requireEnvRecord(worker.env);
  const kwargs = Private.clusterArguments(options);
  const logDirectory = `${worker.env}/var/log/dask`;
  const slurm = {
    ...kwargs,
    python: worker.line,
    'log-directory': logDirectory,
    ...(options.schedulerHost !== undefined
      ? {
          'scheduler-options': {
            host: directiveValue('--scheduler-host', options.schedulerHost)
          }
        }
      : {})
  };
  // The panel's factory carries every argument itself: the Jupyter server
  // that runs it reads its own dask config, which may not hold jobqueue.slurm.
  const labextension = {
    factory: {
      module: 'dask_jobqueue',
      class: 'SLURMCluster',
      args: [],
      kwargs: Object.fromEntries(
        Object.entries(slurm).map(([key, value]) => [
          key.replace(/-/g, '_'),
          value
        ])
      )
    }
  };
  const config = { jobqueue: { slurm }, labextension };
  const text =
    `# Written by mlc env dask-config for ${JSON.stringify(worker.env)} (fingerprint ${worker.fingerprint}).\n` +
    '# Workers run the env in its image; a changed env makes them refuse: run mlc env dask-config again.\n' +
    JSON.stringify(config, null, 2) +
    '\n';
  const file =
    options.output !== undefined
      ? path.resolve(context.cwd, options.output)
      : `${worker.env}/etc/dask/${DASK_CONFIG_FILE}`;
  // With -o, that file is all that is written (dask-jobqueue makes its log
  // directory itself when a cluster starts).
  if (options.output === undefined) {
    Private.realDirs(worker.env, ['etc', 'dask']);
    Private.realDirs(worker.env, ['var', 'log', 'dask']);
  }
  writeFileStaged(file, text);
  let helper: string | undefined;
  if (options.output === undefined) {
    // A module, not a package: no dist-info, so the fingerprint is unchanged.
    helper = `${worker.env}/lib/python${record.python}/site-packages/mlc_dask.py`;
    writeFileStaged(helper, MLC_DASK_PY);
  }
  let panel: string | undefined;
  if (options.panel) {
    panel = Private.writePanelConfig(context, worker.env, labextension);
  }
  return {
    env: worker.env,
    file,
    ...(helper ? { helper } : {}),
    ...(panel ? { panel } : {}),
    fingerprint: worker.fingerprint,
    logDirectory
  };
}

namespace Private {
  /**
   * The Dask panel's New button runs in the Jupyter server, which reads the
   * user's dask config (~/.config/dask), not the env's: write the factory
   * there, in a file of ours.
   */
  export function writePanelConfig(
    context: ICliContext,
    envDir: string,
    labextension: unknown
  ): string {
    const home = context.env.HOME;
    if (!home || !path.isAbsolute(home)) {
      throw new UserError(
        'HOME is not set to an absolute path, so there is no ~/.config/dask for the Dask panel',
        'set HOME, or leave out --panel'
      );
    }
    let dir = home;
    for (const part of ['.config', 'dask']) {
      dir = `${dir}/${part}`;
      ensureRealDirectory(dir, 0o755);
    }
    const file = `${dir}/${DASK_PANEL_FILE}`;
    writeFileStaged(
      file,
      `# Written by mlc env dask-config --panel: the Dask panel's New button starts workers on ${JSON.stringify(envDir)}.\n` +
        JSON.stringify({ labextension }, null, 2) +
        '\n'
    );
    return file;
  }

  /** SLURMCluster's arguments, checked (they become #SBATCH lines in dask-jobqueue's job script). */
  export function clusterArguments(
    options: IDaskConfigOptions
  ): Record<string, string | number> {
    const cores = options.cores ?? '1';
    if (!DASK_CORES.test(cores)) {
      throw new UserError(
        `--cores "${shownValue(cores)}" is not a positive whole number`,
        'give e.g. --cores 4'
      );
    }
    const memory = options.memory ?? '2GiB';
    if (!DASK_MEMORY.test(memory)) {
      throw new UserError(
        `--memory "${shownValue(memory)}" is not a memory size`,
        'give e.g. --memory 4GiB or 4GB'
      );
    }
    const walltime = options.walltime ?? '01:00:00';
    if (!DASK_WALLTIME.test(walltime)) {
      throw new UserError(
        `--walltime "${shownValue(walltime)}" is not a time limit`,
        'give e.g. --walltime 02:00:00'
      );
    }
    return {
      cores: Number(cores),
      memory,
      processes: 1,
      walltime,
      ...(options.queue !== undefined
        ? { queue: directiveValue('--queue', options.queue) }
        : {}),
      ...(options.account !== undefined
        ? { account: directiveValue('--account', options.account) }
        : {})
    };
  }

  /** Make `env/a/b/...` real directories, one level at a time (never through a link). */
  export function realDirs(envDir: string, parts: string[]): void {
    let dir = envDir;
    for (const part of parts) {
      dir = `${dir}/${part}`;
      ensureRealDirectory(dir, 0o755);
    }
  }
}
