/**
 * `mlc update [-f]`: is the registry's image newer than the one set up
 * here? With -f: the new image pulled, a new container or sandbox made
 * beside the old, the user's added packages installed again (the image's
 * conda installer, then pip), and only then the old one retired. Any
 * failure removes only the new one and leaves the old one working.
 */
import type { CatalogueEntry } from '../../core/runner/catalogue';
import {
  IMAGE_ENV_PREFIX,
  isSandboxEngine,
  type WorkState
} from '../../core/runner/workState';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { addedPackages, type IAddedPackages } from './addedPackages';
import { loadCatalogue } from './catalogueSource';
import {
  ensureRunning,
  execArgs,
  removeRecordedContainer,
  removeRecordedSandbox,
  sandboxArgs
} from './container';
import { captureEngine, engineFor, type IEngine } from './engine';
import { registryFacts } from './imageInfo';
import { provision } from './provision';
import { retireRecorded } from './setup';
import { requireState, workDir, writeState } from './stateFile';

export interface IUpdateResult {
  recordedDigest: string | null;
  registryDigest: string;
  updateAvailable: boolean;
  updated: boolean;
  reinstalled: { conda: string[]; pip: string[] };
  retired: string | null;
}

export async function update(
  context: ICliContext,
  force: boolean
): Promise<IUpdateResult> {
  const dir = workDir(context.cwd);
  const old = requireState(dir);
  const entry = Private.entryOf(context, old);
  const facts = await registryFacts(entry, context.env);
  const result: IUpdateResult = {
    recordedDigest: old.image.digest,
    registryDigest: facts.digest,
    updateAvailable: old.image.digest !== facts.digest,
    updated: false,
    reinstalled: { conda: [], pip: [] },
    retired: null
  };
  if (!force || !result.updateAvailable) {
    return result;
  }
  const engine = engineFor(old.engine, context.env);
  if (!isSandboxEngine(old.engine)) {
    ensureRunning(engine, old);
  }
  const added = addedPackages(engine, old);
  const gpuArgs = {
    none: [],
    cdi: ['--device', 'nvidia.com/gpu=all'],
    gpus: ['--gpus', 'all'],
    nv: ['--nv']
  }[old.gpu];
  const fresh = await provision(context, {
    entry,
    engine,
    dir,
    binds: old.binds,
    gpu: { mode: old.gpu, args: gpuArgs, note: null }
  });
  try {
    result.reinstalled = await Private.reinstall(context, engine, fresh, added);
  } catch (reason) {
    // Only the new one goes: it carries this run's setup id.
    if (fresh.sandbox) {
      removeRecordedSandbox(fresh);
    } else {
      removeRecordedContainer(engine, fresh);
    }
    const message =
      reason instanceof UserError ? reason.message : String(reason);
    throw new UserError(
      `update failed: ${message}`,
      `the old ${old.container ? 'container' : 'sandbox'} is unchanged and still set up here`,
      1
    );
  }
  writeState(dir, fresh);
  result.updated = true;
  result.retired = retireRecorded(old, context);
  return result;
}

namespace Private {
  export function entryOf(
    context: ICliContext,
    state: WorkState
  ): CatalogueEntry {
    const key = `${state.image.name}:${state.image.tag}`;
    const known = loadCatalogue(
      undefined,
      context.env,
      context.cwd
    ).entries.find(
      e => `${e.name}:${e.tag}` === key && e.reference === state.image.reference
    );
    return (
      known ?? {
        name: state.image.name,
        tag: state.image.tag,
        reference: state.image.reference,
        flavour: 'cpu',
        python: '0.0'
      }
    );
  }

  /** Run a command in the new container or sandbox; throws with the step's name on failure. */
  function runIn(
    engine: IEngine,
    state: WorkState,
    command: string[],
    step: string,
    env: string[] = []
  ): string {
    const args = state.sandbox
      ? sandboxArgs(state, command)
      : execArgs(state, command, false, env).filter(arg => arg !== '-i');
    const result = captureEngine(engine, args, 1800000);
    if (result.code !== 0) {
      throw new UserError(
        `${step} failed (exit ${result.code}): ${(result.stderr.trim().split('\n').pop() ?? '').slice(0, 200)}`,
        '',
        1
      );
    }
    return result.stdout;
  }

  export async function reinstall(
    context: ICliContext,
    engine: IEngine,
    fresh: WorkState,
    added: IAddedPackages
  ): Promise<{ conda: string[]; pip: string[] }> {
    if (fresh.container) {
      ensureRunning(engine, fresh);
    }
    const conda =
      added.condaSpecs.length > 0
        ? added.condaSpecs
        : added.conda.map(p => p.name);
    if (conda.length > 0) {
      context.reporter.progress(`reinstalling with conda: ${conda.join(' ')}`);
      // Our own fixed probe, no user text: which conda installer the image has.
      const installer = runIn(
        engine,
        fresh,
        [
          'sh',
          '-c',
          'command -v micromamba || command -v mamba || command -v conda'
        ],
        'finding the conda installer'
      )
        .trim()
        .split('\n')[0];
      if (!installer.startsWith('/')) {
        throw new UserError(
          'the new image has no conda installer (micromamba, mamba or conda)',
          '',
          1
        );
      }
      runIn(
        engine,
        fresh,
        [installer, 'install', '-y', '-p', IMAGE_ENV_PREFIX, ...conda],
        `${installer} install ${conda.join(' ')}`
      );
    }
    const pip = added.pip.map(p => `${p.name}==${p.version}`);
    if (pip.length > 0) {
      context.reporter.progress(`reinstalling with pip: ${pip.join(' ')}`);
      // The user's pip settings (index, find-links, proxies) apply inside too.
      const pipEnv = Object.entries(context.env)
        .filter(
          ([key, value]) => /^PIP_[A-Z0-9_]+$/.test(key) && value !== undefined
        )
        .map(([key, value]) => `${key}=${value}`);
      runIn(
        engine,
        fresh,
        ['python3', '-m', 'pip', 'install', '--no-input', ...pip],
        `pip install ${pip.join(' ')}`,
        pipEnv
      );
    }
    return { conda, pip };
  }
}
