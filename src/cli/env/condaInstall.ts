/**
 * `mlc env install ENV --conda -- SPEC...` and `mlc env uninstall ENV
 * --conda -- NAME...` with the image's conda installer (docs/architecture.md,
 * "Env life"). The installer's dry run comes first, always: any package it
 * would link in another version or build than the image holds, or unlink
 * from the image's set, refuses the change before anything is written
 * (unless --allow-image-override). The real run then installs exactly what
 * the preview showed (the previewed records pinned), with the same
 * revisions, pending mark, log and result shape as the pip path.
 */
import {
  CONDA_NAME_PATTERN,
  condaChannelProblem,
  condaSpecName,
  condaSpecProblem
} from '../../core/condaSpec';
import {
  normalizeName,
  shadowText,
  type CondaPin,
  type IEnvInstallResult,
  type IImageShadow
} from '../../core/envLife';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import {
  baseCondaRecords,
  condaAnswer,
  condaChanges,
  condaEnvironment,
  condaErrorLine,
  condaImageConflicts,
  exactCondaSpec,
  findCondaInstaller,
  runConda,
  type ICondaInstaller
} from './condaRun';
import type { IPipRun } from './pipRun';
import {
  IMAGE_OVERRIDE_HINT,
  assertOwnPackages,
  elapsedSince,
  settleRun,
  assertPackageNames,
  finishedChange,
  imageRefusal,
  startChange,
  type IBegunChange
} from './changeOutcome';
import { changeTarget, installTimeoutMs, type IEnvTarget } from './envChange';
import { restoreImagePackages } from './condaRestore';
import { envPackages } from './revisions';

export interface ICondaInstallOptions {
  prefix: string;
  specs: string[];
  channels: string[];
  dryRun: boolean;
  allowImageOverride: boolean;
}

/** The specs as given, each a valid conda match spec; else a UserError. */
export function validateCondaSpecs(specs: string[]): string[] {
  if (specs.length === 0) {
    throw new UserError(
      'no package to install',
      'give conda specs after --, e.g. mlc env install ENV --conda -- "numpy>=1.26"'
    );
  }
  if (specs.length > 500) {
    throw new UserError('more than 500 specs', 'install them in parts');
  }
  for (const spec of specs) {
    const problem = condaSpecProblem(spec);
    if (problem) {
      throw new UserError(
        problem,
        'give conda match specs: name, name=1.2, "name>=1.2,<2" or name==1.2=build (no spaces)'
      );
    }
  }
  return specs;
}

/** The channels as given, each a channel name or URL; else a UserError. */
export function validateChannels(channels: string[]): string[] {
  if (channels.length > 20) {
    throw new UserError('more than 20 channels', 'give at most 20 --channel');
  }
  for (const channel of channels) {
    const problem = condaChannelProblem(channel);
    if (problem) {
      throw new UserError(
        problem,
        'give a channel name (conda-forge) or URL (https://..., file:///...)'
      );
    }
  }
  return channels;
}

export async function installCondaPackages(
  options: ICondaInstallOptions,
  context: ICliContext
): Promise<IEnvInstallResult> {
  const started = performance.now();
  const specs = validateCondaSpecs(options.specs);
  const channels = validateChannels(options.channels);
  const target = changeTarget(options.prefix, context, 'conda');
  const installer = findCondaInstaller(target.record.basePrefix);
  const reporter = context.reporter;
  const run = {
    env: condaEnvironment(context.env),
    timeoutMs: installTimeoutMs(context),
    channels
  };
  reporter.progress(
    `resolving ${specs.join(' ')} with ${installer.name}`,
    'resolve'
  );
  const preview = condaAnswer(
    installer,
    await runConda(installer, 'install', target.envDir, specs, {
      ...run,
      dryRun: true
    }),
    `resolve ${specs.join(' ')}`
  );
  const shadowed = condaImageConflicts(
    target.record.basePrefix,
    preview,
    target.imagePip
  );
  const refused =
    shadowed.length && !options.allowImageOverride
      ? imageRefusal(shadowed)
      : null;
  const result = {
    prefix: target.envDir,
    installer: 'conda' as const,
    specs: options.specs,
    shadowed
  };
  const planned = condaChanges(preview);
  if (options.dryRun) {
    return {
      ...result,
      dryRun: true,
      changes: planned,
      refused,
      revision: null,
      logFile: null,
      elapsedMs: elapsedSince(started)
    };
  }
  if (refused) {
    throw new UserError(refused, IMAGE_OVERRIDE_HINT, 1);
  }
  if (planned.length === 0) {
    return {
      ...result,
      dryRun: false,
      changes: [],
      refused: null,
      revision: null,
      logFile: null,
      elapsedMs: elapsedSince(started)
    };
  }
  const begun = startChange(target, 'install', [
    '--conda',
    ...channels.flatMap(channel => ['--channel', channel]),
    ...options.specs
  ]);
  reporter.progress(
    `downloading and linking ${planned.length} package(s)`,
    'install'
  );
  // Exactly what the preview showed: its records pinned beside the specs.
  const done = await runConda(
    installer,
    'install',
    target.envDir,
    [...specs, ...preview.link.map(exactCondaSpec)],
    { ...run, dryRun: false }
  );
  const logFile = settleRun(
    target,
    begun,
    done,
    stopped =>
      `${installer.name} could not install ${options.specs.join(' ')}: ${Private.failure(stopped, done.log)}`,
    'try again'
  );
  reporter.progress('verifying the env', 'verify');
  return Private.finished(target, begun, options.specs, logFile, started);
}

export async function uninstallCondaPackages(
  options: { prefix: string; names: string[]; dryRun: boolean },
  context: ICliContext
): Promise<IEnvInstallResult> {
  const started = performance.now();
  assertPackageNames(options.names, CONDA_NAME_PATTERN, {
    what: 'conda package name',
    none: 'give names after --, e.g. mlc env uninstall ENV --conda -- NAME',
    bad: 'give names as the env lists them (mlc env history ENV)'
  });
  const target = changeTarget(options.prefix, context, 'conda');
  const now = envPackages(target.envDir, target.record.python);
  const own = new Set(now.conda.map(pin => normalizeName(pin.name)));
  assertOwnPackages(
    target,
    options.names,
    own,
    baseCondaRecords(target.record.basePrefix),
    name => `${name} is not a conda package of the env`
  );
  const installer = findCondaInstaller(target.record.basePrefix);
  const run = {
    env: condaEnvironment(context.env),
    timeoutMs: installTimeoutMs(context),
    channels: []
  };
  context.reporter.progress(
    `resolving the removal of ${options.names.join(' ')}`,
    'resolve'
  );
  const preview = condaAnswer(
    installer,
    await runConda(installer, 'remove', target.envDir, options.names, {
      ...run,
      dryRun: true
    }),
    `remove ${options.names.join(' ')}`
  );
  // The names are the env's own (checked above), overrides of image packages included.
  const named = new Set(options.names.map(normalizeName));
  const shadowed = condaImageConflicts(
    target.record.basePrefix,
    preview
  ).filter(conflict => !named.has(normalizeName(conflict.name)));
  const result = {
    prefix: target.envDir,
    installer: 'conda' as const,
    specs: options.names
  };
  if (shadowed.length) {
    throw new UserError(
      `removing ${options.names.join(' ')} would remove image packages: ${shadowed.map(shadowText).join(', ')}`,
      'uninstall only packages the env installed itself',
      1
    );
  }
  if (options.dryRun) {
    return {
      ...result,
      dryRun: true,
      changes: condaChanges(preview),
      shadowed: [],
      refused: null,
      revision: null,
      logFile: null,
      elapsedMs: elapsedSince(started)
    };
  }
  const begun = startChange(target, 'uninstall', ['--conda', ...options.names]);
  context.reporter.progress(
    `uninstalling ${options.names.join(' ')}`,
    'install'
  );
  const done = await runConda(
    installer,
    'remove',
    target.envDir,
    options.names,
    { ...run, dryRun: false }
  );
  const logFile = settleRun(
    target,
    begun,
    done,
    stopped =>
      `${installer.name} could not uninstall ${options.names.join(' ')}: ${Private.failure(stopped, done.log)}`,
    'try again'
  );
  context.reporter.progress('verifying the env', 'verify');
  restoreImagePackages(target, options.names);
  return Private.finished(target, begun, options.names, logFile, started);
}

/** What rollback, create --from and rebase need to install conda pins again. */
export interface ICondaPinsPlan {
  installer: ICondaInstaller;
  specs: string[];
  channels: string[];
}

/**
 * The exact specs and channels that install `pins` again (each pin's
 * recorded channel, checked like user input); a UserError when one is bad.
 */
export function condaPinsPlan(
  basePrefix: string,
  pins: readonly CondaPin[]
): ICondaPinsPlan {
  const channels: string[] = [];
  for (const pin of pins) {
    if (pin.channel !== undefined && !channels.includes(pin.channel)) {
      channels.push(pin.channel);
    }
  }
  validateChannels(channels);
  return {
    installer: findCondaInstaller(basePrefix),
    specs: validateCondaSpecs(pins.map(exactCondaSpec)),
    channels
  };
}

/**
 * Check that the planned pins can be installed into `dir` (the env, or a
 * staging sibling) without changing the image's set: the installer's dry
 * run, so a package that cannot be had is a UserError with nothing written.
 */
export async function checkCondaPins(
  dir: string,
  basePrefix: string,
  plan: ICondaPinsPlan,
  context: ICliContext
): Promise<void> {
  const preview = condaAnswer(
    plan.installer,
    await runConda(plan.installer, 'install', dir, plan.specs, {
      ...Private.runOptions(plan, context),
      dryRun: true
    }),
    `find ${plan.specs.join(' ')}`
  );
  // A pin itself may be an image override the user allowed when it was
  // installed; anything else of the image's the run would change is refused.
  const pinned = new Set(
    plan.specs.map(spec => normalizeName(condaSpecName(spec)))
  );
  const conflicts = condaImageConflicts(basePrefix, preview).filter(
    conflict => !pinned.has(normalizeName(conflict.name))
  );
  if (conflicts.length) {
    throw new UserError(
      `the conda packages would change the image's: ${conflicts.map(shadowText).join(', ')}`,
      "keep the image's versions of its packages",
      1
    );
  }
}

/** Install the planned pins into `dir` (after checkCondaPins); the caller words a failure. */
export function runCondaPins(
  dir: string,
  plan: ICondaPinsPlan,
  context: ICliContext
): Promise<IPipRun> {
  context.reporter.progress(
    `installing ${plan.specs.length} conda package(s)`,
    'install'
  );
  return runConda(plan.installer, 'install', dir, plan.specs, {
    ...Private.runOptions(plan, context),
    dryRun: false
  });
}

namespace Private {
  export function runOptions(
    plan: ICondaPinsPlan,
    context: ICliContext
  ): { env: NodeJS.ProcessEnv; timeoutMs: number; channels: string[] } {
    return {
      env: condaEnvironment(context.env),
      timeoutMs: installTimeoutMs(context),
      channels: plan.channels
    };
  }

  export function failure(stopped: string | null, log: string): string {
    return stopped ? `stopped (${stopped})` : condaErrorLine(log);
  }

  export function finished(
    target: IEnvTarget,
    begun: IBegunChange,
    specs: string[],
    logFile: string | null,
    started: number
  ): IEnvInstallResult {
    const after = envPackages(target.envDir, target.record.python);
    return finishedChange(target, begun, after, {
      installer: 'conda',
      specs,
      shadowed: envShadows(target, after.conda),
      logFile,
      started
    });
  }

  /** The env's conda pins that differ from the image's record of the same name. */
  export function envShadows(
    target: IEnvTarget,
    pins: readonly CondaPin[]
  ): IImageShadow[] {
    const base = baseCondaRecords(target.record.basePrefix);
    return pins.flatMap(pin => {
      const image = base.get(normalizeName(pin.name));
      return image &&
        (image.version !== pin.version || image.build !== pin.build)
        ? [
            {
              name: pin.name,
              imageVersion: image.version,
              envVersion: pin.version
            }
          ]
        : [];
    });
  }
}
