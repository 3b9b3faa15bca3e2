/**
 * `mlc env job-script`: a batch job that runs a command in the same image
 * and env as the env's kernel, the fingerprint checked first
 * (./workerCommand.ts). Slurm: a script for `sbatch`. HTCondor: a submit
 * description whose executable is the same wrapper script, written beside it.
 *
 * Scheduler options become `#SBATCH` lines or submit-description lines,
 * where no quoting is dependable: a value is accepted only when it is made
 * of the characters such values have (no blank, quote, `$`, `;`, newline),
 * else refused in one line. The command's words reach the shell through the
 * one quoting module.
 */
import { hasControlCharacter } from '../../core/quote';
import type { ICliContext } from '../context';
import { directiveValue, shownValue } from './directiveValue';
import { UserError } from '../errors';
import { workerCommand, workerCommandLine } from './workerCommand';

export const SCHEDULERS = ['slurm', 'htcondor'] as const;
export type Scheduler = (typeof SCHEDULERS)[number];

export interface IJobScriptOptions {
  env: string;
  scheduler?: string;
  partition?: string;
  time?: string;
  cpus?: string;
  mem?: string;
  account?: string;
  via?: string;
  image?: string;
  command: string[];
}

/** What to write: the main text and, for HTCondor, the wrapper beside it. */
export interface IJobScript {
  scheduler: Scheduler;
  env: string;
  fingerprint: string;
  /** The sbatch script, or the HTCondor submit description. */
  text: string;
  /** HTCondor: the executable wrapper's text (written to `<output>.sh`). */
  wrapper?: string;
}

/** Build the job script (nothing is written here). */
export function jobScript(
  options: IJobScriptOptions,
  context: ICliContext,
  wrapperPath?: string
): IJobScript {
  const scheduler = Private.scheduler(options.scheduler);
  if (options.command.length === 0) {
    throw new UserError(
      'no command to run',
      'put it after --, e.g. mlc env job-script ENV -- python analysis.py'
    );
  }
  const values = Private.checkedValues(options);
  const worker = workerCommand(
    {
      env: options.env,
      runs: 'command',
      ...(options.via !== undefined ? { via: options.via } : {}),
      ...(options.image !== undefined ? { image: options.image } : {})
    },
    context
  );
  const run = `exec ${workerCommandLine([...worker.argv, ...options.command])}`;
  if (scheduler === 'slurm') {
    return {
      scheduler,
      env: worker.env,
      fingerprint: worker.fingerprint,
      text: Private.slurmScript(values, run, worker.fingerprint)
    };
  }
  if (!wrapperPath) {
    throw new UserError(
      'an HTCondor job needs -o FILE (the submit description; its executable is written to FILE.sh)',
      'pass -o FILE'
    );
  }
  return {
    scheduler,
    env: worker.env,
    fingerprint: worker.fingerprint,
    text: Private.condorSubmit(values, wrapperPath),
    wrapper: Private.wrapper(run, worker.fingerprint)
  };
}

namespace Private {
  export interface IValues {
    partition?: string;
    time?: string;
    cpus?: number;
    mem?: string;
    account?: string;
  }

  export function scheduler(raw: string | undefined): Scheduler {
    const chosen = raw ?? 'slurm';
    if (!(SCHEDULERS as readonly string[]).includes(chosen)) {
      throw new UserError(
        `unknown --scheduler "${chosen.slice(0, 40)}"`,
        `use one of: ${SCHEDULERS.join(', ')}`
      );
    }
    return chosen as Scheduler;
  }

  export function checkedValues(options: IJobScriptOptions): IValues {
    const values: IValues = {};
    for (const flag of ['partition', 'time', 'mem', 'account'] as const) {
      const value = options[flag];
      if (value !== undefined) {
        values[flag] = directiveValue(`--${flag}`, value);
      }
    }
    if (options.time !== undefined && !/^[0-9][0-9:-]*$/.test(options.time)) {
      throw new UserError(
        `--time "${shownValue(options.time)}" is not a time limit`,
        'give minutes, MM:SS, HH:MM:SS or D-HH:MM:SS'
      );
    }
    if (options.mem !== undefined && !/^[0-9]+[KMGT]?$/.test(options.mem)) {
      throw new UserError(
        `--mem "${shownValue(options.mem)}" is not a memory size`,
        'give a number of megabytes, or one with K, M, G or T (e.g. 4G)'
      );
    }
    if (options.cpus !== undefined) {
      if (!/^[1-9][0-9]{0,5}$/.test(options.cpus)) {
        throw new UserError(
          `--cpus "${shownValue(options.cpus)}" is not a positive whole number`,
          'give e.g. --cpus 4'
        );
      }
      values.cpus = Number(options.cpus);
    }
    return values;
  }

  export function slurmScript(
    values: IValues,
    run: string,
    fingerprint: string
  ): string {
    const directives = [
      values.partition !== undefined && `--partition=${values.partition}`,
      values.time !== undefined && `--time=${values.time}`,
      values.cpus !== undefined && `--cpus-per-task=${values.cpus}`,
      values.mem !== undefined && `--mem=${values.mem}`,
      values.account !== undefined && `--account=${values.account}`
    ].filter((line): line is string => typeof line === 'string');
    return [
      '#!/bin/sh',
      ...directives.map(line => `#SBATCH ${line}`),
      `# Written by mlc env job-script: the command runs in the env's image and env (fingerprint ${fingerprint}), checked first.`,
      run,
      ''
    ].join('\n');
  }

  export function wrapper(run: string, fingerprint: string): string {
    return [
      '#!/bin/sh',
      `# Written by mlc env job-script: the command runs in the env's image and env (fingerprint ${fingerprint}), checked first.`,
      run,
      ''
    ].join('\n');
  }

  /**
   * The submit description (HTCondor manual, "Submitting a job": one
   * `command = value` a line, `queue` last). The wrapper's path is the only
   * free text: no `$` (macro expansion), quote, `#` or control character.
   */
  export function condorSubmit(values: IValues, wrapperPath: string): string {
    if (
      hasControlCharacter(wrapperPath) ||
      /[$"'#]/.test(wrapperPath) ||
      /^\s|\s$/.test(wrapperPath)
    ) {
      throw new UserError(
        `the output path "${shownValue(wrapperPath)}" cannot be named in a submit description`,
        'choose -o FILE without $, quotes, #, control characters or edge blanks'
      );
    }
    if (values.partition !== undefined) {
      throw new UserError(
        'HTCondor has no partitions',
        'drop --partition (select machines with requirements in the submit description)'
      );
    }
    const lines = [
      "# Written by mlc env job-script: the executable runs the command in the env's image and env, checked first.",
      'universe = vanilla',
      `executable = ${wrapperPath}`,
      'transfer_executable = false',
      'output = mlc-job-$(ClusterId).$(ProcId).out',
      'error = mlc-job-$(ClusterId).$(ProcId).err',
      'log = mlc-job-$(ClusterId).log'
    ];
    if (values.cpus !== undefined) {
      lines.push(`request_cpus = ${values.cpus}`);
    }
    if (values.mem !== undefined) {
      lines.push(`request_memory = ${megabytes(values.mem)}`);
    }
    if (values.time !== undefined) {
      lines.push(`allowed_job_duration = ${seconds(values.time)}`);
    }
    if (values.account !== undefined) {
      lines.push(`accounting_group = ${values.account}`);
    }
    lines.push('queue', '');
    return lines.join('\n');
  }

  /** `4G` -> 4096 (HTCondor's request_memory is in megabytes). */
  export function megabytes(mem: string): number {
    const match = /^([0-9]+)([KMGT]?)$/.exec(mem) as RegExpExecArray;
    const number = Number(match[1]);
    const scale: Record<string, number> = {
      K: 1 / 1024,
      '': 1,
      M: 1,
      G: 1024,
      T: 1024 * 1024
    };
    return Math.max(1, Math.ceil(number * scale[match[2]]));
  }

  /** A Slurm time limit in seconds: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S. */
  export function seconds(time: string): number {
    const [daysPart, rest] = time.includes('-')
      ? time.split('-', 2)
      : ['0', time];
    const days = Number(daysPart);
    const parts = rest.split(':').map(Number);
    if (parts.some(part => !Number.isFinite(part)) || !Number.isFinite(days)) {
      throw new UserError(
        `--time "${shownValue(time)}" is not a time limit`,
        'give e.g. 2:00:00'
      );
    }
    let hms: number;
    if (time.includes('-')) {
      const [h = 0, m = 0, s = 0] = parts;
      hms = h * 3600 + m * 60 + s;
    } else if (parts.length === 1) {
      hms = parts[0] * 60;
    } else if (parts.length === 2) {
      hms = parts[0] * 60 + parts[1];
    } else {
      hms = parts[0] * 3600 + parts[1] * 60 + parts[2];
    }
    return days * 86400 + hms;
  }
}
