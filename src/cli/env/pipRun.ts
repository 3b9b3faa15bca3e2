/**
 * Run the env's own pip (`<env>/bin/pythonX.Y -m pip`) with a bound on its
 * time and output, in a process group of its own (a timeout, Ctrl-C or
 * SIGTERM to `mlc` ends pip and all it started), reading its output line by
 * line to tell the phases (resolve, download, install) as they happen.
 */
import { spawn } from 'child_process';
import type { ChangePhase } from '../../core/envLife';
import { randomHex } from '../fs/random';

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

/** What `pip install` then `pip check` in one interpreter said. */
export interface IPipInstallCheck {
  install: IPipRun;
  /** pip check's exit code and output; null when it did not run (the install failed, or pip has no in-process entry point). */
  check: { code: number; stdout: string } | null;
}

/**
 * `pip install ARGS`, then, when it succeeded, `pip check`, both by pip's
 * own command-line entry point in one interpreter: pip's start (about 250
 * ms of CPU, half of a `pip check`) is paid once. The check runs after the
 * install's files are in place (import caches invalidated), as the separate
 * `python -m pip check` did. Lines carrying a random marker split the
 * output; an image pip without the entry point runs the install alone
 * (`check` null) and the caller runs `pip check` as before.
 */
export async function runPipInstallThenCheck(
  python: string,
  installArgs: string[],
  options: IPipRunOptions
): Promise<IPipInstallCheck> {
  const marker = `mlc-pip-check-${randomHex(8)}`;
  const install = await runInstaller(
    python,
    ['-I', '-c', Private.INSTALL_THEN_CHECK, marker, 'install', ...installArgs],
    options
  );
  const start = install.stdout.indexOf(`\n${marker}\n`);
  const end = install.stdout.lastIndexOf(`\n${marker} `);
  const code =
    end > start
      ? /^\d{1,3}/.exec(install.stdout.slice(end + marker.length + 2))
      : null;
  if (start < 0 || !code) {
    return { install, check: null };
  }
  // The log reads as the two commands' output, the markers dropped.
  const log = install.log
    .split(`\n${marker}\n`)
    .join('\n$ pip check\n')
    .split(`\n${marker} ${code[0]}\n`)
    .join('\n');
  return {
    install: { ...install, log, stdout: install.stdout.slice(0, start + 1) },
    check: {
      code: Number(code[0]),
      stdout: install.stdout.slice(start + marker.length + 2, end + 1)
    }
  };
}

namespace Private {
  /**
   * argv: marker, then pip's arguments. Exit code: the install's. pip's
   * `main` (pip._internal.cli.main, what `python -m pip` runs) returns the
   * status of each command; without it, the install runs as `-m pip` would.
   */
  export const INSTALL_THEN_CHECK = [
    'import importlib, runpy, sys',
    'marker = sys.argv[1]',
    'try:',
    '    from pip._internal.cli.main import main',
    'except ImportError:',
    '    sys.argv = ["pip", *sys.argv[2:]]',
    '    runpy.run_module("pip", run_name="__main__", alter_sys=True)',
    'code = main(sys.argv[2:])',
    'if code == 0:',
    '    importlib.invalidate_caches()',
    // As the separate check ran (PYTHONDONTWRITEBYTECODE): no byte code for the modules it adds.
    '    sys.dont_write_bytecode = True',
    '    sys.stderr.flush()',
    '    print("\\n" + marker, flush=True)',
    // A check that breaks is its verdict, never the install's failure.
    '    try:',
    '        check = main(["check", "--disable-pip-version-check"])',
    '    except BaseException as error:',
    '        print(f"pip check failed: {type(error).__name__}: {error}"[:300])',
    '        check = 1',
    '    print(f"\\n{marker} {check}", flush=True)',
    'sys.exit(code)'
  ].join('\n');

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
