/**
 * `mlc setup IMAGE`: a container or sandbox for the image in this work
 * directory. An existing setup of another image is replaced only with -f,
 * and then only after the new one is ready (the seed deleted it first,
 * with or without -f).
 */
import type { Engine, WorkState } from '../../core/runner/workState';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { loadCatalogue, oneImage } from './catalogueSource';
import {
  recordedContainer,
  removeRecordedContainer,
  removeRecordedSandbox,
  sandboxPath
} from './container';
import { engineFor, pickEngine } from './engine';
import { planGpu, type GpuRequest } from './gpu';
import { provision } from './provision';
import {
  assertWritable,
  readState,
  workDir,
  writeState,
  type IWorkDir
} from './stateFile';
import * as fs from 'fs';

export interface ISetupOptions {
  image: string;
  engine?: Engine;
  force: boolean;
  binds: string[];
  gpu: GpuRequest;
  catalogue?: string;
}

export interface ISetupResult {
  state: WorkState;
  /** Whether an existing setup was kept (already set up with this image). */
  reused: boolean;
  /** The container or sandbox retired after the new one was ready, if any. */
  retired: string | null;
}

export async function setup(
  context: ICliContext,
  options: ISetupOptions
): Promise<ISetupResult> {
  const catalogue = loadCatalogue(options.catalogue, context.env, context.cwd);
  const image = oneImage(catalogue, options.image);
  const { entry } = image;
  const dir = workDir(context.cwd);
  assertWritable(dir);
  const binds = options.binds.map(Private.parseBind);
  const old = Private.previousState(dir, options.force, context);
  if (old && !options.force) {
    const sameImage =
      old.image.name === entry.name &&
      old.image.tag === entry.tag &&
      (!options.engine || options.engine === old.engine);
    if (!sameImage) {
      throw new UserError(
        `${dir.path} is already set up with ${old.image.name}:${old.image.tag} (${old.engine})`,
        'add -f to replace it (the old one is removed only once the new one is ready), or use another directory',
        1
      );
    }
    if (Private.stillThere(old, context.env)) {
      return { state: old, reused: true, retired: null };
    }
  }
  const engine = pickEngine(options.engine, context.env);
  const gpu = planGpu(options.gpu, engine.kind, context.env);
  const state = await provision(context, { image, engine, dir, binds, gpu });
  // Said once the container exists, so a failure stays the one line.
  if (gpu.note) {
    context.reporter.warning(gpu.note);
  }
  writeState(dir, state);
  let retired: string | null = null;
  if (old) {
    retired = Private.retire(old, context);
  }
  return { state, reused: false, retired };
}

/** Remove what an older state recorded, if it is still ours; returns what went, or null. */
export function retireRecorded(
  old: WorkState,
  context: ICliContext
): string | null {
  return Private.retire(old, context);
}

namespace Private {
  /**
   * The state already here. With -f an unreadable one is set aside (and
   * nothing it names is removed: only a valid state proves anything ours).
   */
  export function previousState(
    dir: IWorkDir,
    force: boolean,
    context: ICliContext
  ): WorkState | null {
    try {
      return readState(dir);
    } catch (reason) {
      if (force && reason instanceof UserError) {
        context.reporter.warning(
          `ignoring the state file here (${reason.message}); nothing it names is removed`
        );
        return null;
      }
      throw reason;
    }
  }

  export function parseBind(text: string): { source: string; target: string } {
    const [source, target, ...rest] = text.split(':');
    if (
      rest.length > 0 ||
      !source ||
      !source.startsWith('/') ||
      (target !== undefined && !target.startsWith('/')) ||
      /[\0\n,]/.test(text)
    ) {
      throw new UserError(
        `-B ${text.slice(0, 100)}: expected SRC or SRC:DST, absolute paths without ':' or ','`,
        'e.g. -B /data or -B /data:/mnt/data'
      );
    }
    if (!fs.existsSync(source)) {
      throw new UserError(
        `-B ${source}: no such file or directory`,
        'give an existing path'
      );
    }
    return { source, target: target ?? source };
  }

  export function stillThere(
    state: WorkState,
    env: NodeJS.ProcessEnv
  ): boolean {
    if (state.sandbox) {
      return fs.existsSync(sandboxPath(state));
    }
    try {
      return recordedContainer(engineFor(state.engine, env), state) !== null;
    } catch {
      return false;
    }
  }

  export function retire(old: WorkState, context: ICliContext): string | null {
    const env = context.env;
    if (old.sandbox) {
      return removeRecordedSandbox(old) ? sandboxPath(old) : null;
    }
    try {
      return removeRecordedContainer(engineFor(old.engine, env), old)
        ? (old.container?.name ?? null)
        : null;
    } catch (reason) {
      if (reason instanceof UserError) {
        context.reporter.warning(
          `the old container ${old.container?.name} was left in place: ${reason.message}`
        );
        return null;
      }
      throw reason;
    }
  }
}
