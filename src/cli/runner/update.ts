/**
 * `mlc update [-f]`: is the registry's image newer than the one set up
 * here? With -f: the new image pulled, a new container or sandbox made
 * beside the old, the user's added packages installed again (the image's
 * conda installer, then pip), and only then the old one retired. Any
 * failure removes only the new one and leaves the old one working.
 */
import { firstArgumentProblem, operandsAfterOptions } from '../../core/argv';
import { chooseEntry, type IImageChoice } from '../../core/runner/catalogue';
import { elideText } from '../../core/visibleText';
import {
  IMAGE_ENV_PREFIX,
  isSandboxEngine,
  type WorkState
} from '../../core/runner/workState';
import type { ICliContext } from '../context';
import type { CatalogueEntry } from '../../core/runner/catalogue';
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
  const image = Private.imageOf(context, old);
  const facts = await registryFacts(image.ref, context.env);
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
  // Checked before anything is made: names read from the old container are not ours to trust.
  const wanted = Private.reinstallWords(added);
  const gpuArgs = {
    none: [],
    cdi: ['--device', 'nvidia.com/gpu=all'],
    gpus: ['--gpus', 'all'],
    nv: ['--nv']
  }[old.gpu];
  const fresh = await provision(context, {
    image,
    engine,
    dir,
    binds: old.binds,
    gpu: { mode: old.gpu, args: gpuArgs, note: null }
  });
  try {
    result.reinstalled = await Private.reinstall(
      context,
      engine,
      fresh,
      wanted
    );
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
  export function imageOf(
    context: ICliContext,
    state: WorkState
  ): IImageChoice {
    const chosen = chooseEntry(entryOf(context, state));
    if (!chosen.ok) {
      throw new UserError(
        `the image recorded here: ${chosen.error}`,
        `set this directory up again ('mlc setup ${state.image.name}:${state.image.tag} -f')`
      );
    }
    return chosen.value;
  }

  /** PEP 508 names; conda's are the same letters, `+` allowed. */
  const PIP_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,200}[A-Za-z0-9])?$/;
  const PIP_VERSION = /^[A-Za-z0-9][A-Za-z0-9.+!_-]{0,100}$/;
  const CONDA_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,200}$/;

  /**
   * The arguments a reinstall passes to the installers, each a value read
   * from the old container: the one rule of core/argv.ts (never an option),
   * then a package name's own letters. One bad value refuses the update
   * before anything is made, naming it.
   */
  export function reinstallWords(added: IAddedPackages): {
    conda: string[];
    pip: string[];
  } {
    const conda =
      added.condaSpecs.length > 0
        ? added.condaSpecs
        : added.conda.map(p => p.name);
    const pip = added.pip.map(p => `${p.name}==${p.version}`);
    const refuse = (value: string, problem: string, where: string) =>
      new UserError(
        `the old ${where} names a package '${elideText(value, 80)}' that ${problem}`,
        'nothing was changed; remove that package in the old container (or set up anew with -f)',
        1
      );
    const argument = firstArgumentProblem([...conda, ...pip], 256);
    if (argument) {
      throw refuse(
        argument.value,
        argument.problem,
        conda.includes(argument.value) ? 'conda history' : 'pip list'
      );
    }
    const badConda = conda.find(name => !CONDA_NAME.test(name));
    if (badConda !== undefined) {
      throw refuse(badConda, 'is not a conda package name', 'conda history');
    }
    const badPip = added.pip.find(
      p => !PIP_NAME.test(p.name) || !PIP_VERSION.test(p.version)
    );
    if (badPip) {
      throw refuse(
        `${badPip.name}==${badPip.version}`,
        'is not a pip package name and version',
        'pip list'
      );
    }
    return { conda, pip };
  }

  function entryOf(context: ICliContext, state: WorkState): CatalogueEntry {
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
    wanted: { conda: string[]; pip: string[] }
  ): Promise<{ conda: string[]; pip: string[] }> {
    if (fresh.container) {
      ensureRunning(engine, fresh);
    }
    const { conda, pip } = wanted;
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
        [
          installer,
          'install',
          '-y',
          '-p',
          IMAGE_ENV_PREFIX,
          ...operandsAfterOptions(conda)
        ],
        `${installer} install ${conda.join(' ')}`
      );
    }
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
        [
          'python3',
          '-m',
          'pip',
          'install',
          '--no-input',
          ...operandsAfterOptions(pip)
        ],
        `pip install ${pip.join(' ')}`,
        pipEnv
      );
    }
    return { conda, pip };
  }
}
