/**
 * The container engines, found on PATH in the seed's order (podman, docker,
 * then nerdctl, then Apptainer/Singularity), and run with no shell: every
 * argument is one argv element. Site options come from the environment:
 * MLC_<ENGINE>_ARGS go before the subcommand (e.g. `--runtime runc`),
 * MLC_<ENGINE>_CREATE_ARGS after `create`/`run` (e.g. `--ulimit ...`);
 * both split on white space.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { operandsAfterOptions } from '../../core/argv';
import { ENGINES, type Engine } from '../../core/runner/workState';
import { UserError } from '../errors';

export interface IEngine {
  kind: Engine;
  /** The executable found on PATH. */
  file: string;
  /** Global options (MLC_<ENGINE>_ARGS). */
  globalArgs: string[];
  /** Options for create/run (MLC_<ENGINE>_CREATE_ARGS). */
  createArgs: string[];
}

export function findExecutable(
  name: string,
  env: NodeJS.ProcessEnv
): string | null {
  for (const dir of (env.PATH ?? '').split(':')) {
    if (!dir) {
      continue;
    }
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) {
        return file;
      }
    } catch {
      // not here
    }
  }
  return null;
}

export function engineFor(kind: Engine, env: NodeJS.ProcessEnv): IEngine {
  const file = findExecutable(kind, env);
  if (!file) {
    throw new UserError(
      `${kind} is not installed (not found on PATH)`,
      `install it, or choose another engine (${ENGINES.map(e => `--${e}`).join(', ')})`,
      1
    );
  }
  const upper = kind.toUpperCase();
  const split = (value: string | undefined) =>
    (value ?? '').split(/\s+/).filter(Boolean);
  return {
    kind,
    file,
    globalArgs: split(env[`MLC_${upper}_ARGS`]),
    createArgs: split(env[`MLC_${upper}_CREATE_ARGS`])
  };
}

/** The named engine, or the first one installed. */
export function pickEngine(
  requested: Engine | undefined,
  env: NodeJS.ProcessEnv
): IEngine {
  if (requested) {
    return engineFor(requested, env);
  }
  const found = ENGINES.find(kind => findExecutable(kind, env));
  if (!found) {
    throw new UserError(
      'no container engine found on PATH (podman, docker, nerdctl, apptainer or singularity)',
      'install podman (or docker, or Apptainer) and run again',
      1
    );
  }
  return engineFor(found, env);
}

export interface ICaptured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the engine and capture its output (inspect, exec of a probe). */
export function captureEngine(
  engine: IEngine,
  args: string[],
  timeoutMs = 120000,
  env?: NodeJS.ProcessEnv
): ICaptured {
  const result = spawnSync(engine.file, [...engine.globalArgs, ...args], {
    encoding: 'utf-8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: env ?? process.env
  });
  if (result.error) {
    throw new UserError(
      `${engine.kind} could not be run: ${result.error.message}`,
      'check the engine installation',
      1
    );
  }
  return {
    code: result.status ?? 128 + 1,
    stdout: result.stdout,
    stderr: result.stderr
  };
}

/**
 * Run the engine with the terminal passed through (pulls show their own
 * progress; shells are interactive); resolves to its exit status. With
 * `toStderr`, its stdout goes to our stderr (machine-read output stays clean).
 */
export function runEngine(
  engine: IEngine,
  args: string[],
  options: { toStderr?: boolean } = {}
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(engine.file, [...engine.globalArgs, ...args], {
      stdio: [
        'inherit',
        options.toStderr ? process.stderr : 'inherit',
        'inherit'
      ]
    });
    // The child owns the terminal: Ctrl-C reaches it, and we wait for its status.
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    child.on('error', error => {
      process.off('SIGINT', ignore);
      reject(
        new UserError(
          `${engine.kind} could not be run: ${error.message}`,
          'check the engine installation',
          1
        )
      );
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve(code ?? (signal ? 128 + (Private.SIGNALS[signal] ?? 1) : 1));
    });
  });
}

/** An engine refusing an exec (container stopped or gone) answers within this; a command's own stderr is never held longer. */
export const ENGINE_ERROR_WINDOW_MS = 1500;

export interface IHeldRun {
  code: number;
  elapsedMs: number;
  /** The engine's stderr still held back (it failed at once), or null once passed on. */
  heldBack: string | null;
}

/**
 * Run the engine as `runEngine` does, but with its stderr held back for the
 * first moments (ENGINE_ERROR_WINDOW_MS, or until it exits), so that an
 * engine refusing at once ("container not running") is not shown when the
 * caller then starts the container and runs again. A terminal's output (-t)
 * goes to stdout: only the engine's own messages are held then.
 */
export function runEngineHoldingErrors(
  engine: IEngine,
  args: string[]
): Promise<IHeldRun> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(engine.file, [...engine.globalArgs, ...args], {
      stdio: ['inherit', 'inherit', 'pipe']
    });
    let held: Buffer[] | null = [];
    const release = () => {
      if (held) {
        for (const chunk of held) {
          process.stderr.write(chunk);
        }
        held = null;
      }
    };
    const timer = setTimeout(release, ENGINE_ERROR_WINDOW_MS);
    child.stderr.on('data', (chunk: Buffer) =>
      held ? held.push(chunk) : process.stderr.write(chunk)
    );
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    child.on('error', error => {
      clearTimeout(timer);
      process.off('SIGINT', ignore);
      reject(
        new UserError(
          `${engine.kind} could not be run: ${error.message}`,
          'check the engine installation',
          1
        )
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', ignore);
      const status =
        code ?? (signal ? 128 + (Private.SIGNALS[signal] ?? 1) : 1);
      const elapsedMs = Date.now() - start;
      if (status === 0 || elapsedMs > ENGINE_ERROR_WINDOW_MS) {
        release();
      }
      resolve({
        code: status,
        elapsedMs,
        heldBack: held ? Buffer.concat(held).toString('utf-8') : null
      });
    });
  });
}

/** One container's engine view (podman, docker and nerdctl share this shape). */
export interface IContainerView {
  id: string;
  status: string;
  labels: Record<string, string>;
  image: string;
}

/** Inspect a container by name or id; null when the engine knows no such container. */
export function inspectContainer(
  engine: IEngine,
  nameOrId: string
): IContainerView | null {
  const result = captureEngine(
    engine,
    ['container', 'inspect', ...operandsAfterOptions([nameOrId])],
    60000
  );
  if (result.code !== 0) {
    return null;
  }
  try {
    const [view] = JSON.parse(result.stdout) as {
      Id?: string;
      ID?: string;
      State?: { Status?: string };
      Config?: { Labels?: Record<string, string> | null };
      Image?: string;
    }[];
    const id = view.Id ?? view.ID ?? '';
    return {
      id,
      status: String(view.State?.Status ?? 'unknown').toLowerCase(),
      labels: view.Config?.Labels ?? {},
      image: view.Image ?? ''
    };
  } catch {
    throw new UserError(
      `${engine.kind} container inspect printed no JSON`,
      'check the engine installation',
      1
    );
  }
}

namespace Private {
  export const SIGNALS: Record<string, number> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGTERM: 15
  };
}
