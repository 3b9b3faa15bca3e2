/**
 * What mlc does to containers and sandboxes, and the one rule for removing
 * them: only what the work directory's state recorded, and only when the
 * engine (labels, id) or the sandbox's marker file confirms it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { operandsAfterOptions } from '../../core/argv';
import {
  DOCKER_HUB,
  type IImageReference
} from '../../core/runner/imageReference';
import {
  LABEL_SETUP_ID,
  LABEL_WORKDIR,
  LABEL_WORKDIR_ID,
  type WorkState
} from '../../core/runner/workState';
import { UserError } from '../errors';
import { captureEngine, inspectContainer, type IEngine } from './engine';
import type { IWorkDir } from './stateFile';
import { removeTree } from '../fs/removeTree';
import { readRegularFile } from '../fs/regularFile';
import { writeNewFile } from '../fs/stagedWrite';

/** Inside every sandbox mlc builds: who it belongs to. */
export const SANDBOX_MARKER = '.mlc-sandbox-id';

export interface ICreateSpec {
  name: string;
  /** Checked by parseImageReference (core/argv.ts's rule): never an option. */
  reference: string;
  workdir: IWorkDir;
  setupId: string;
  binds: { source: string; target: string }[];
  gpuArgs: string[];
}

/** `create` arguments: the work dir mounted at the same path, the user's identity kept, host network (same port inside and out). */
export function createArgs(engine: IEngine, spec: ICreateSpec): string[] {
  const identity: string[] = [];
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (engine.kind !== 'podman') {
    // Rootless podman needs nothing: its user namespace maps root inside to
    // the user outside, so files in the work dir stay the user's and the
    // image env stays writable for `micromamba install`, as in the seed
    // (`--userns=keep-id` would make the image env read-only to the user).
    identity.push('--user', `${uid}:${gid}`);
  }
  const binds = spec.binds.flatMap(bind => [
    '-v',
    `${bind.source}:${bind.target}`
  ]);
  return [
    'create',
    '--name',
    spec.name,
    '--label',
    `${LABEL_WORKDIR_ID}=${spec.workdir.id}`,
    '--label',
    `${LABEL_SETUP_ID}=${spec.setupId}`,
    '--label',
    `${LABEL_WORKDIR}=${spec.workdir.path}`,
    ...identity,
    '--network',
    'host',
    '-v',
    `${spec.workdir.path}:${spec.workdir.path}`,
    '-w',
    spec.workdir.path,
    '-e',
    `MLC_WORKDIR=${spec.workdir.path}`,
    ...binds,
    ...spec.gpuArgs,
    ...engine.createArgs,
    '--entrypoint',
    'sleep',
    ...operandsAfterOptions([spec.reference, 'infinity'])
  ];
}

/** The container the state records, if the engine has it AND it carries our labels. */
export function recordedContainer(
  engine: IEngine,
  state: WorkState
): ReturnType<typeof inspectContainer> {
  if (!state.container) {
    return null;
  }
  const view = inspectContainer(engine, state.container.id);
  if (!view) {
    return null;
  }
  if (
    view.id !== state.container.id ||
    view.labels[LABEL_WORKDIR_ID] !== state.workdirId ||
    view.labels[LABEL_SETUP_ID] !== state.setupId
  ) {
    return null;
  }
  return view;
}

/** Remove the recorded container; anything that does not match the state is left alone. Returns whether removed. */
export function removeRecordedContainer(
  engine: IEngine,
  state: WorkState
): boolean {
  const view = recordedContainer(engine, state);
  if (!view) {
    return false;
  }
  const result = captureEngine(
    engine,
    ['rm', '-f', ...operandsAfterOptions([view.id])],
    120000
  );
  if (result.code !== 0) {
    throw new UserError(
      `${engine.kind} rm ${view.id.slice(0, 12)} failed: ${Private.firstLine(result.stderr)}`,
      'remove it by hand',
      1
    );
  }
  return true;
}

/** Make sure the container runs (a `Created` or exited one is started). */
export function ensureRunning(
  engine: IEngine,
  state: WorkState,
  known?: ReturnType<typeof inspectContainer>
): void {
  const view = known === undefined ? recordedContainer(engine, state) : known;
  if (!view) {
    throw new UserError(
      `the container ${state.container?.name ?? ''} recorded here no longer exists (or is not the one set up here)`,
      `run 'mlc setup ${state.image.name}:${state.image.tag} -f' to create it again`,
      1
    );
  }
  if (view.status === 'running') {
    return;
  }
  if (view.status === 'paused') {
    const result = captureEngine(engine, [
      'unpause',
      ...operandsAfterOptions([view.id])
    ]);
    if (result.code === 0) {
      return;
    }
  }
  const result = captureEngine(
    engine,
    ['start', ...operandsAfterOptions([view.id])],
    120000
  );
  if (result.code !== 0) {
    throw new UserError(
      `${engine.kind} start failed: ${Private.firstLine(result.stderr)}`,
      `see '${engine.kind} logs ${state.container?.name}'`,
      1
    );
  }
}

/** `exec` arguments for a command in the running container. */
export function execArgs(
  state: WorkState,
  command: string[],
  interactive: boolean,
  env: string[] = []
): string[] {
  return [
    'exec',
    ...(interactive ? ['-it'] : ['-i']),
    '-w',
    state.workdir,
    ...env.flatMap(entry => ['-e', entry]),
    ...operandsAfterOptions([state.container?.id ?? '', ...command])
  ];
}

/** The sandbox directory the state records, as an absolute path inside the work dir. */
export function sandboxPath(state: WorkState): string {
  return path.join(state.workdir, state.sandbox?.directory ?? '');
}

/** Apptainer/Singularity arguments for the recorded sandbox. */
export function sandboxArgs(state: WorkState, command: string[]): string[] {
  const binds = state.binds.flatMap(bind => [
    '-B',
    `${bind.source}:${bind.target}`
  ]);
  const gpu = state.gpu === 'nv' ? ['--nv'] : [];
  const verb = command.length === 0 ? ['run'] : ['exec'];
  return [
    ...verb,
    '-w',
    '--pwd',
    state.workdir,
    ...gpu,
    ...binds,
    ...operandsAfterOptions([sandboxPath(state), ...command])
  ];
}

export function writeSandboxMarker(
  dir: string,
  state: Pick<WorkState, 'setupId' | 'workdirId'>
): void {
  writeNewFile(
    path.join(dir, SANDBOX_MARKER),
    `${state.workdirId} ${state.setupId}\n`
  );
}

/** Remove the recorded sandbox if it is a real directory (not a link) inside the work dir carrying our marker. */
export function removeRecordedSandbox(state: WorkState): boolean {
  if (!state.sandbox) {
    return false;
  }
  const dir = sandboxPath(state);
  if (path.dirname(dir) !== state.workdir) {
    return false;
  }
  try {
    if (!fs.lstatSync(dir).isDirectory()) {
      return false;
    }
  } catch {
    return false;
  }
  const marker = readRegularFile(path.join(dir, SANDBOX_MARKER), {
    maxBytes: 4096,
    followLinks: false
  });
  if (
    !marker.ok ||
    marker.text.trim() !== `${state.workdirId} ${state.setupId}`
  ) {
    return false;
  }
  // The one removal of the project: never follows a link, never leaves the tree.
  removeTree(dir);
  return true;
}

/** The digest the engine recorded for a pulled reference, or null. */
export function localImageDigest(
  engine: IEngine,
  reference: string,
  ref: IImageReference
): string | null {
  const result = captureEngine(
    engine,
    ['image', 'inspect', ...operandsAfterOptions([reference])],
    60000
  );
  if (result.code !== 0) {
    return null;
  }
  try {
    const [view] = JSON.parse(result.stdout) as {
      Digest?: string;
      RepoDigests?: string[];
    }[];
    // Engines write Docker Hub's repositories short (`user/name`, `name`).
    const repo =
      ref.registry === DOCKER_HUB
        ? ref.repository.replace(/^library\//, '')
        : `${ref.registry}/${ref.repository}`;
    const fromRepo = (view.RepoDigests ?? [])
      .find(entry => entry.split('@')[0].endsWith(repo))
      ?.split('@')[1];
    const digest = fromRepo ?? view.Digest ?? null;
    return digest && /^sha256:[a-f0-9]{64}$/.test(digest) ? digest : null;
  } catch {
    return null;
  }
}

namespace Private {
  export function firstLine(text: string): string {
    return (text.trim().split('\n').pop() ?? '').slice(0, 200) || 'no message';
  }
}
