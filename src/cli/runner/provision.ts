/**
 * Make a new container or sandbox for an image in a work directory, beside
 * whatever is there already: pull (the engine's own progress shown), create
 * under a name no other container has, and return the state describing it.
 * Writing the state and retiring the old one are the caller's steps, so a
 * failure here leaves the old one as it was.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { operandsAfterOptions } from '../../core/argv';
import type { IImageChoice } from '../../core/runner/catalogue';
import {
  containerName,
  isSandboxEngine,
  sandboxDirectory,
  WORK_STATE_VERSION,
  type WorkState
} from '../../core/runner/workState';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { createArgs, localImageDigest, writeSandboxMarker } from './container';
import {
  captureEngine,
  inspectContainer,
  runEngine,
  type IEngine
} from './engine';
import type { IGpuPlan } from './gpu';
import { imageInfo, type IImageInfo } from './imageInfo';
import type { IWorkDir } from './stateFile';
import { isRealDirectory } from '../fs/realDir';
import { mlcVersion } from '../version';

export interface IProvisionRequest {
  image: IImageChoice;
  engine: IEngine;
  dir: IWorkDir;
  binds: { source: string; target: string }[];
  gpu: IGpuPlan;
}

export async function provision(
  context: ICliContext,
  request: IProvisionRequest
): Promise<WorkState> {
  const { engine, dir } = request;
  const { entry, ref } = request.image;
  const info = await Private.registryInfo(context, request.image, engine);
  const setupId = randomBytes(16).toString('hex');
  const base: Omit<WorkState, 'container' | 'sandbox'> = {
    schemaVersion: WORK_STATE_VERSION,
    writtenBy: mlcVersion(),
    engine: engine.kind,
    workdir: dir.path,
    workdirId: dir.id,
    setupId,
    setupAt: new Date().toISOString(),
    image: {
      name: entry.name,
      tag: entry.tag,
      reference: entry.reference,
      digest: info?.digest ?? null,
      compressedSize: info?.compressedSize ?? null,
      created: info?.created ?? null,
      lastUpdated: info?.lastUpdated ?? null
    },
    binds: request.binds,
    gpu: request.gpu.mode
  };
  if (isSandboxEngine(engine.kind)) {
    return {
      ...base,
      sandbox: { directory: await Private.buildSandbox(context, request, base) }
    };
  }
  context.reporter.progress(`pulling ${entry.reference}`);
  const pulled = await runEngine(
    engine,
    ['pull', ...operandsAfterOptions([entry.reference])],
    { toStderr: context.reporter.machine }
  );
  if (pulled !== 0) {
    throw new UserError(
      `${engine.kind} pull ${entry.reference} failed (exit ${pulled})`,
      'check the network and the registry (see the messages above)',
      1
    );
  }
  // The registry's digest is what `update` compares with; the engine's local one only when the registry could not be read.
  const digest =
    base.image.digest ?? localImageDigest(engine, entry.reference, ref);
  const name = Private.freeName(engine, request.image, dir);
  context.reporter.progress(`creating the container ${name}`);
  const created = captureEngine(
    engine,
    createArgs(engine, {
      name,
      reference: entry.reference,
      workdir: dir,
      setupId,
      binds: request.binds,
      gpuArgs: request.gpu.args
    })
  );
  const id = created.stdout.trim().split('\n').pop() ?? '';
  if (created.code !== 0 || !/^[a-f0-9]{64}$/.test(id)) {
    throw new UserError(
      `${engine.kind} create failed: ${(created.stderr.trim().split('\n').pop() ?? '').slice(0, 200)}`,
      'see the engine message; nothing was changed',
      1
    );
  }
  return { ...base, image: { ...base.image, digest }, container: { name, id } };
}

namespace Private {
  /**
   * The registry's facts; when it cannot be read, go on offline only if the
   * engine already has the image (a pull would fail anyway, less clearly).
   */
  /** Bound on the names tried: an engine that answers for every name cannot keep mlc looping. */
  export const MAX_GENERATIONS = 100;

  /** The first container name of this image and work dir that the engine does not know. */
  export function freeName(
    engine: IEngine,
    image: IImageChoice,
    dir: IWorkDir
  ): string {
    const { name: imageName, tag } = image.entry;
    for (let generation = 0; generation < MAX_GENERATIONS; generation++) {
      const name = containerName(imageName, tag, dir.id, generation);
      if (!inspectContainer(engine, name)) {
        return name;
      }
    }
    throw new UserError(
      `${engine.kind} already has ${MAX_GENERATIONS} containers named ${containerName(imageName, tag, dir.id, 0)}[-uN]`,
      `remove the ones you no longer need ('${engine.kind} ps -a')`,
      1
    );
  }

  export async function registryInfo(
    context: ICliContext,
    image: IImageChoice,
    engine: IEngine
  ): Promise<IImageInfo | null> {
    try {
      return await imageInfo(image, context.env);
    } catch (reason) {
      if (
        reason instanceof UserError &&
        !isSandboxEngine(engine.kind) &&
        localImageDigest(engine, image.entry.reference, image.ref) !== null
      ) {
        context.reporter.warning(
          `could not read the registry (${reason.message}); using the local copy, size and dates unknown`
        );
        return null;
      }
      throw reason;
    }
  }

  export async function buildSandbox(
    context: ICliContext,
    request: IProvisionRequest,
    base: Pick<WorkState, 'setupId' | 'workdirId'>
  ): Promise<string> {
    const { engine, dir } = request;
    const { entry } = request.image;
    let generation = 0;
    let name = sandboxDirectory(entry.name, entry.tag, generation);
    while (
      fs.existsSync(path.join(dir.path, name)) ||
      Private.isLink(path.join(dir.path, name))
    ) {
      if (++generation >= MAX_GENERATIONS) {
        throw new UserError(
          `${dir.path} already holds ${MAX_GENERATIONS} sandboxes of ${entry.name}:${entry.tag}`,
          'remove the .mlc-sandbox-* directories you no longer need',
          1
        );
      }
      name = sandboxDirectory(entry.name, entry.tag, generation);
    }
    const target = path.join(dir.path, name);
    context.reporter.progress(`building the sandbox ${target}`);
    const code = await runEngine(
      engine,
      [
        'build',
        '--sandbox',
        '--fix-perms',
        ...operandsAfterOptions([target, `docker://${entry.reference}`])
      ],
      {
        toStderr: context.reporter.machine
      }
    );
    if (code !== 0 || !isRealDirectory(target)) {
      throw new UserError(
        `${engine.kind} build of the sandbox failed (exit ${code})`,
        'see the messages above; nothing was changed',
        1
      );
    }
    writeSandboxMarker(target, base);
    return name;
  }

  export function isLink(file: string): boolean {
    try {
      return fs.lstatSync(file).isSymbolicLink();
    } catch {
      return false;
    }
  }
}
