/**
 * `mlc env create`: build the env in a temporary sibling of the target and
 * rename it into place, so that a failure, a full disk, a kill or a second
 * concurrent create never leaves half an env, and an existing env is never
 * overwritten (rename(2) refuses a non-empty target directory).
 */
import { envKernelName } from '../../core/validate';
import { labelProblem, pathProblem } from '../../core/problemText';
import {
  ENV_RECORD_VERSION,
  type EnvRecord,
  type IEnvCreateResult
} from '../../core/envRecord';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { createStagingPrefix, removeLeftovers } from './leftovers';
import { chooseBase, imageLabel, inspectBase, type IBaseFacts } from './base';
import { errnoCode, fsUserError } from '../fs/errors';
import {
  assertKernelSlotFree,
  defaultDisplayName,
  envKernelFile,
  kernelDataDir,
  registerKernel
} from './kernel';
import {
  makeSitePackages,
  pyvenvCfgText,
  writeEnvRecord,
  writeInterpreterLinks,
  writePipScripts
} from './layout';
import {
  BASE_LINK,
  copyCondaMeta,
  mirrorBase,
  type IMirrorStats
} from './mirror';
import { removeTree } from '../fs/removeTree';
import { currentImage, type IImageState } from './imageIdentity';
import { envPackages, recordRevision, writeImagePackages } from './revisions';
import { applyPlan, readFreshPlan } from './plan';
import { activationScript, type IScriptTemplates } from './scripts';
import {
  envPathFrom,
  assertCreatable,
  makeParents,
  removeMadeParents,
  type IEnvTarget
} from './target';
import { makeDirectory, makePath, makeSymlink, moveEntry } from '../fs/entries';
import { resolves } from '../fs/probes';
import { writeNewFile } from '../fs/stagedWrite';
import { randomHex } from '../fs/random';

export interface ICreateOptions {
  /** The env's path as the user gave it. */
  prefix: string;
  base?: string;
  kernel: boolean;
  displayName?: string;
  containerImage?: string;
  bind: string[];
}

/** Create the env; every refusal is a UserError thrown before anything is written. */
export function createEnv(
  options: ICreateOptions,
  context: ICliContext,
  templates: IScriptTemplates
): IEnvCreateResult {
  // hrtime, not performance.now(): perf_hooks costs about 1 ms of CPU to load.
  const started = process.hrtime.bigint();
  const target = envPathFrom(options.prefix, context.cwd);
  const base = inspectBase(chooseBase(options.base, context));
  const container = Private.containerMode(options, context);
  if (options.displayName !== undefined) {
    const problem = labelProblem(options.displayName);
    if (problem) {
      throw new UserError(
        `invalid --display-name: ${problem}`,
        'give a one-line name, e.g. --display-name "My env"'
      );
    }
  }
  const missingParents = assertCreatable(target, base.physical);
  // An empty directory given as the target is put back if the create fails late.
  const targetWasEmptyDir = resolves(target.prefix);
  const kernelName = options.kernel
    ? envKernelName(target.name, target.prefix)
    : null;
  const dataDir = kernelName ? kernelDataDir(context) : null;
  if (kernelName && dataDir) {
    assertKernelSlotFree(dataDir, kernelName, target.prefix);
  }
  const displayName =
    options.displayName ??
    defaultDisplayName(target.name, base.image, base.python);
  const image = currentImage(base.prefix, base.python, base.image);
  const record: EnvRecord = {
    schemaVersion: ENV_RECORD_VERSION,
    name: target.name,
    prefix: target.prefix,
    basePrefix: base.prefix,
    baseImage: imageLabel(base.image),
    python: base.python,
    createdAt: new Date().toISOString(),
    mode: container ? 'container' : 'host',
    ...(container
      ? { containerImage: container.image, bindPaths: container.binds }
      : {}),
    kernelName,
    displayName,
    creationId: randomHex(16),
    image: image.identity
  };

  let madeParents: string[];
  try {
    madeParents = makeParents(missingParents);
  } catch (error) {
    throw fsUserError(error, `making the directory ${target.parent}`);
  }
  // Leftovers of an interrupted verb on this env (ours only: see leftovers.ts).
  removeLeftovers(target.prefix);
  const temp = Private.tempSibling(target);
  const stats: IMirrorStats = { directories: 0, links: 0, records: 0 };
  let activateFile: string;
  try {
    makeDirectory(temp);
    activateFile = Private.build(temp, base, record, templates, stats);
    Private.firstRevision(temp, base, image);
  } catch (error) {
    Private.removeQuietly(temp);
    removeMadeParents(madeParents);
    throw fsUserError(error, `creating the env ${target.prefix}`);
  }
  try {
    Private.renameIntoPlace(temp, target);
  } catch (error) {
    removeMadeParents(madeParents);
    throw error;
  }

  if (kernelName && dataDir) {
    try {
      const spec = envKernelFile({
        envPrefix: target.prefix,
        envName: target.name,
        displayName,
        basePrefix: base.prefix,
        python: base.python,
        image: base.image,
        creationId: record.creationId
      });
      registerKernel(
        dataDir,
        kernelName,
        spec,
        `${base.prefix}/share/jupyter/kernels/python3`
      );
    } catch (error) {
      // The env is ours and seconds old: take it back rather than leave it half-registered.
      Private.removeQuietly(target.prefix);
      if (targetWasEmptyDir) {
        makePath(target.prefix);
      }
      removeMadeParents(madeParents);
      const failure = fsUserError(
        error,
        `registering the kernel in ${dataDir}/kernels`
      );
      throw new UserError(
        failure.message,
        'make that directory writable (or set JUPYTER_DATA_DIR), or pass --no-kernel',
        failure.exitCode
      );
    }
  }
  return {
    name: record.name,
    prefix: record.prefix,
    basePrefix: record.basePrefix,
    baseImage: record.baseImage,
    python: record.python,
    createdAt: record.createdAt,
    kernelName,
    problems: [],
    activateScript: `${target.prefix}/${activateFile}`,
    mode: record.mode,
    mirrored: stats,
    elapsedMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100
  };
}

namespace Private {
  /** Revision 1 (an env of no packages of its own) and the image's package list, for later notices. */
  export function firstRevision(
    dir: string,
    base: IBaseFacts,
    image: IImageState
  ): void {
    writeImagePackages(dir, image);
    recordRevision(dir, {
      command: 'create',
      args: [],
      image: image.identity,
      python: base.pythonVersion,
      packages: envPackages(dir, base.python)
    });
  }

  /** The files of the env, written into `dir` (paths inside name the final prefix). */
  export function build(
    dir: string,
    base: IBaseFacts,
    record: EnvRecord,
    templates: IScriptTemplates,
    stats: IMirrorStats
  ): string {
    makeSymlink(base.prefix, `${dir}/${BASE_LINK}`);
    // The image build's precomputed plan when it is still true of the base; else walk and copy.
    const plan = readFreshPlan(base);
    if (plan) {
      applyPlan(plan, base, dir, stats);
    } else {
      mirrorBase(base, dir, stats);
      copyCondaMeta(base, dir, stats);
    }
    makeSitePackages(dir, base.python);
    writeInterpreterLinks(dir, base.python);
    if (base.hasPip) {
      writePipScripts(dir, base.python);
    }
    // In the hidden temporary published by one rename: no per-file fsync.
    writeNewFile(
      `${dir}/pyvenv.cfg`,
      pyvenvCfgText(base.prefix, base.pythonVersion),
      0o644,
      { durable: false }
    );
    const script = activationScript(templates, {
      envPrefix: record.prefix,
      basePrefix: record.basePrefix,
      envName: record.name,
      mode: record.mode,
      ...(record.containerImage
        ? {
            containerImage: record.containerImage,
            bindPaths: record.bindPaths ?? []
          }
        : {})
    });
    writeNewFile(`${dir}/${script.file}`, script.text, 0o755, {
      durable: false
    });
    writeEnvRecord(dir, record);
    return script.file;
  }

  /**
   * Container mode: --container-image, or running inside Apptainer/Singularity
   * (then the image and binds are the running container's).
   */
  export function containerMode(
    options: ICreateOptions,
    context: ICliContext
  ): { image: string; binds: string[] } | null {
    const env = context.env;
    const running = env.APPTAINER_CONTAINER || env.SINGULARITY_CONTAINER || '';
    const image = options.containerImage ?? running;
    if (!image) {
      if (options.bind.length) {
        throw new UserError(
          '--bind is only for container mode',
          'add --container-image PATH, or leave out --bind'
        );
      }
      return null;
    }
    const fromEnv =
      options.containerImage === undefined
        ? (env.APPTAINER_BIND || env.SINGULARITY_BIND || '').split(',')
        : [];
    const binds = [
      ...options.bind,
      ...fromEnv.map(bind => bind.trim()).filter(Boolean)
    ];
    for (const [what, value] of [
      ['--container-image', image],
      ...binds.map(bind => ['--bind', bind])
    ]) {
      const problem = pathProblem(value);
      if (problem) {
        throw new UserError(
          `invalid ${what}: ${problem}`,
          'give the path as Apptainer takes it'
        );
      }
    }
    // A local image path is recorded absolute; a URI (docker://...) as given.
    const absolute =
      image.includes('://') || image.startsWith('/')
        ? image
        : `${context.cwd}/${image}`;
    return { image: absolute, binds: [...new Set(binds)] };
  }

  /**
   * `.mlc-tmp.<name digest>.<host digest>.<pid>.<random>`: hidden, short
   * whatever the name, and telling which process on which host made it
   * (leftovers.ts cleans it if that process was killed).
   */
  export function tempSibling(target: IEnvTarget): string {
    const random = Math.random().toString(36).slice(2, 8);
    return `${target.parent}/${createStagingPrefix(target.name)}${process.pid}.${random}`;
  }

  /** The one step that publishes the env; losing a race is a clear refusal. */
  export function renameIntoPlace(temp: string, target: IEnvTarget): void {
    try {
      moveEntry(temp, target.prefix);
    } catch (error) {
      removeQuietly(temp);
      const code = errnoCode(error);
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        throw new UserError(
          `${target.prefix} already exists and is not empty (it appeared while this env was being made, e.g. by another mlc env create)`,
          'choose another path, or remove the old env with: mlc env remove PATH',
          1
        );
      }
      if (code === 'ENOTDIR') {
        throw new UserError(
          `${target.prefix} already exists and is not a directory`,
          'remove it or choose another path',
          1
        );
      }
      throw fsUserError(error, `moving the new env to ${target.prefix}`);
    }
  }

  export function removeQuietly(dir: string): void {
    try {
      removeTree(dir);
    } catch {
      // Best effort: what is left is a hidden temporary, cleaned by the next create.
    }
  }
}

/**
 * What `mlc env rebase` shares with create: the env's files built into a
 * hidden temporary sibling of the env (named and cleaned as create's are).
 */
export const envStaging = {
  build: Private.build,
  tempSibling: Private.tempSibling,
  removeQuietly: Private.removeQuietly
};
