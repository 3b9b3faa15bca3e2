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
  packageChanges,
  shadowText,
  type CondaPin,
  type IEnvInstallResult,
  type IImageShadow
} from '../../core/envLife';
import { elideText } from '../../core/visibleText';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { removeEntry } from '../fs/removeTree';
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
  assertNoChangeRunning,
  beginChange,
  changeTarget,
  failedChange,
  finishChange,
  installTimeoutMs,
  keepLog,
  type IEnvTarget
} from './envChange';
import { restoreImagePackages } from './condaRestore';
import { envPackages, revisionsDir } from './revisions';

export interface ICondaInstallOptions {
  prefix: string;
  specs: string[];
  channels: string[];
  dryRun: boolean;
  allowImageOverride: boolean;
}

export const IMAGE_OVERRIDE_HINT =
  "keep the image's versions, or pass --allow-image-override to install them into the env anyway";

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
      ? Private.refusal(shadowed)
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
      elapsedMs: Private.elapsed(started)
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
      elapsedMs: Private.elapsed(started)
    };
  }
  assertNoChangeRunning(target);
  const args = [
    '--conda',
    ...channels.flatMap(channel => ['--channel', channel]),
    ...options.specs
  ];
  const { revisions, before } = beginChange(target, 'install', args);
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
  const logFile = keepLog(target, done.log);
  if (done.stopped || done.code !== 0) {
    throw failedChange(
      target,
      before,
      revisions,
      `${installer.name} could not install ${options.specs.join(' ')}: ${done.stopped ? `stopped (${done.stopped})` : condaErrorLine(done.log)}`,
      logFile ? `the installer's output is in ${logFile}` : 'try again'
    );
  }
  reporter.progress('verifying the env', 'verify');
  const after = envPackages(target.envDir, target.record.python);
  const changes = packageChanges(before.conda, after.conda, 'conda');
  return {
    ...result,
    dryRun: false,
    changes,
    shadowed: Private.envShadows(target, after.conda),
    refused: null,
    revision: changes.length
      ? finishChange(target, 'install', args, revisions, after)
      : Private.nothingChanged(target),
    logFile,
    elapsedMs: Private.elapsed(started)
  };
}

export async function uninstallCondaPackages(
  options: { prefix: string; names: string[]; dryRun: boolean },
  context: ICliContext
): Promise<IEnvInstallResult> {
  const started = performance.now();
  if (options.names.length === 0) {
    throw new UserError(
      'no package to uninstall',
      'give names after --, e.g. mlc env uninstall ENV --conda -- NAME'
    );
  }
  for (const name of options.names) {
    if (!CONDA_NAME_PATTERN.test(name)) {
      throw new UserError(
        `invalid conda package name '${elideText(name, 100)}'`,
        'give names as the env lists them (mlc env history ENV)'
      );
    }
  }
  const target = changeTarget(options.prefix, context, 'conda');
  const now = envPackages(target.envDir, target.record.python);
  const own = new Set(now.conda.map(pin => normalizeName(pin.name)));
  const base = baseCondaRecords(target.record.basePrefix);
  for (const name of options.names) {
    if (!own.has(normalizeName(name))) {
      const image = base.get(normalizeName(name));
      throw new UserError(
        image
          ? `${name} ${image.version} is part of the image, not of the env`
          : `${name} is not a conda package of the env`,
        image
          ? 'only packages the env installed itself can be uninstalled'
          : `see what the env holds: mlc env history ${target.envDir}`
      );
    }
  }
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
      elapsedMs: Private.elapsed(started)
    };
  }
  assertNoChangeRunning(target);
  const args = ['--conda', ...options.names];
  const { revisions, before } = beginChange(target, 'uninstall', args);
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
  const logFile = keepLog(target, done.log);
  if (done.stopped || done.code !== 0) {
    throw failedChange(
      target,
      before,
      revisions,
      `${installer.name} could not uninstall ${options.names.join(' ')}: ${done.stopped ? `stopped (${done.stopped})` : condaErrorLine(done.log)}`,
      logFile ? `the installer's output is in ${logFile}` : 'try again'
    );
  }
  context.reporter.progress('verifying the env', 'verify');
  restoreImagePackages(target, options.names);
  const after = envPackages(target.envDir, target.record.python);
  const changes = packageChanges(before.conda, after.conda, 'conda');
  return {
    ...result,
    dryRun: false,
    changes,
    shadowed: Private.envShadows(target, after.conda),
    refused: null,
    revision: changes.length
      ? finishChange(target, 'uninstall', args, revisions, after)
      : Private.nothingChanged(target),
    logFile,
    elapsedMs: Private.elapsed(started)
  };
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

  export function elapsed(started: number): number {
    return Math.round((performance.now() - started) * 100) / 100;
  }

  export function refusal(shadowed: IImageShadow[]): string {
    return `the install would put other versions of image packages into the env: ${shadowed.map(shadowText).join(', ')}`;
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

  /** Nothing changed: no revision, no mark left. */
  export function nothingChanged(target: IEnvTarget): null {
    removeEntry(`${revisionsDir(target.envDir)}/pending.json`);
    return null;
  }
}
