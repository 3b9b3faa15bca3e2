/**
 * Run the env's own pip (`<env>/bin/pythonX.Y -m pip`) with a bound on its
 * time and output, in a process group of its own (a timeout, Ctrl-C or
 * SIGTERM to `mlc` ends pip and all it started), reading its output line by
 * line to tell the phases (resolve, download, install) as they happen.
 */
import { spawn } from 'child_process';
import type { ChangePhase } from '../../core/envLife';

export interface IPipRun {
  code: number | null;
  /** Set when the run was stopped by mlc: 'timeout' or the signal mlc got. */
  stopped: string | null;
  stdout: string;
  /** stdout and stderr interleaved, as a log (the last bytes when huge). */
  log: string;
  /** Whether the program could not be started. */
  notFound: boolean;
}

export interface IPipRunOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Called once per phase, when pip's output first shows it. */
  onPhase?: (phase: ChangePhase, line: string) => void;
  /** The phase a line of output shows (default: pip's lines). */
  phaseOf?: (line: string) => ChangePhase | null;
}

/** Output kept for the log and the parsers; a report larger than this is not one. */
const MAX_OUTPUT_BYTES = 32 << 20;

/** The environment pip runs in: the caller's, minus what would send it elsewhere. */
export function pipEnvironment(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of [
    'PIP_TARGET',
    'PIP_PREFIX',
    'PIP_ROOT',
    'PIP_USER',
    'PIP_EDITABLE',
    'PIP_REQUIRE_VIRTUALENV',
    'PIP_CONSTRAINT',
    'PIP_BREAK_SYSTEM_PACKAGES',
    'PYTHONPATH',
    'PYTHONHOME',
    'PYTHONSTARTUP',
    'VIRTUAL_ENV',
    'CONDA_PREFIX',
    // pip prints `--report -` through rich, which colours it (ANSI codes in the JSON) when forced to.
    'FORCE_COLOR',
    'CLICOLOR_FORCE',
    'PY_COLORS'
  ]) {
    delete env[name];
  }
  env.NO_COLOR = '1';
  env.PYTHONNOUSERSITE = '1';
  env.PIP_DISABLE_PIP_VERSION_CHECK = '1';
  env.PIP_NO_INPUT = '1';
  return env;
}

export function runPip(
  python: string,
  args: string[],
  options: IPipRunOptions
): Promise<IPipRun> {
  return runInstaller(python, ['-I', '-m', 'pip', ...args], options);
}

/** Run an installer program (pip, the image's conda installer) the same bounded way. */
export function runInstaller(
  program: string,
  args: string[],
  options: IPipRunOptions
): Promise<IPipRun> {
  return new Promise(resolve => {
    const child = spawn(program, args, {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true
    });
    const stdout: Buffer[] = [];
    const log: Buffer[] = [];
    let size = 0;
    let stopped: string | null = null;
    let notFound = false;
    const seen = new Set<ChangePhase>();
    let partial = '';

    const endGroup = (): void => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is gone already.
        }
      }
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      stopped = signal;
      endGroup();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const timer = setTimeout(() => {
      stopped = 'timeout';
      endGroup();
    }, options.timeoutMs);
    const keep = (into: Buffer[], chunk: Buffer): void => {
      size += chunk.length;
      into.push(chunk);
      while (size > MAX_OUTPUT_BYTES && into.length > 1) {
        size -= (into.shift() as Buffer).length;
      }
    };
    const phases = (chunk: Buffer): void => {
      if (!options.onPhase) {
        return;
      }
      const lines = (partial + chunk.toString('utf-8')).split('\n');
      partial = (lines.pop() ?? '').slice(-4096);
      for (const line of lines) {
        const phase = (options.phaseOf ?? Private.phaseOf)(line);
        if (phase && !seen.has(phase)) {
          seen.add(phase);
          options.onPhase(phase, line.trim().slice(0, 300));
        }
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      keep(stdout, chunk);
      log.push(chunk);
      while (log.length > 4096) {
        log.shift();
      }
      phases(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      log.push(chunk);
      while (log.length > 4096) {
        log.shift();
      }
      phases(chunk);
    });
    let code: number | null = null;
    child.on('error', (error: NodeJS.ErrnoException) => {
      notFound = error.code === 'ENOENT';
    });
    child.on('exit', exitCode => {
      code = exitCode;
      endGroup();
    });
    child.on('close', () => {
      clearTimeout(timer);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      resolve({
        code,
        stopped,
        notFound,
        stdout: Buffer.concat(stdout).toString('utf-8'),
        log: Buffer.concat(log).toString('utf-8').slice(-MAX_OUTPUT_BYTES)
      });
    });
  });
}

namespace Private {
  /** The phase a line of pip's output shows, if any. */
  export function phaseOf(line: string): ChangePhase | null {
    const text = line.trimStart();
    if (/^(Collecting|Looking in|Processing|Requirement already)/.test(text)) {
      return 'resolve';
    }
    if (/^(Downloading|Using cached|Obtaining)/.test(text)) {
      return 'download';
    }
    if (
      /^(Installing collected|Attempting uninstall|Found existing|Uninstalling)/.test(
        text
      )
    ) {
      return 'install';
    }
    return null;
  }
}
