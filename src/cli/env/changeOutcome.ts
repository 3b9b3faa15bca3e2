/**
 * What `env install` / `env uninstall` share between pip and conda once the
 * installer has been chosen: the names an uninstall may touch, the refusal
 * of image overrides, starting the change, wording a failed run, and the
 * result of a finished one (revision recorded, or the mark cleared when
 * nothing changed).
 */
import {
  normalizeName,
  packageChanges,
  shadowText,
  type EnvRevision,
  type IEnvInstallResult,
  type IImageShadow,
  type RevisionCommand
} from '../../core/envLife';
import { elideText } from '../../core/visibleText';
import { UserError } from '../errors';
import {
  assertNoChangeRunning,
  beginChange,
  failedChange,
  finishChange,
  keepLog,
  type IEnvTarget
} from './envChange';
import { clearPending, type IEnvPackages } from './revisions';

export const IMAGE_OVERRIDE_HINT =
  "keep the image's versions, or pass --allow-image-override to install them into the env anyway";

/** A change under way: what `finishedChange` and `failedRun` need. */
export interface IBegunChange {
  command: RevisionCommand;
  args: string[];
  revisions: EnvRevision[];
  before: IEnvPackages;
}

export function elapsedSince(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

export function imageRefusal(shadowed: IImageShadow[]): string {
  return `the install would put other versions of image packages into the env: ${shadowed.map(shadowText).join(', ')}`;
}

/**
 * Every name must be one of the env's own packages (`own`, normalized);
 * one the image holds instead is refused with the image's version.
 */
export function assertOwnPackages(
  target: IEnvTarget,
  names: string[],
  own: ReadonlySet<string>,
  image: ReadonlyMap<string, { version: string }>,
  notOwn: (name: string) => string
): void {
  for (const name of names) {
    if (own.has(normalizeName(name))) {
      continue;
    }
    const held = image.get(normalizeName(name));
    throw new UserError(
      held
        ? `${name} ${held.version} is part of the image, not of the env`
        : notOwn(name),
      held
        ? 'only packages the env installed itself can be uninstalled'
        : `see what the env holds: mlc env history ${target.envDir}`
    );
  }
}

/** No other change may run; then the pending mark is written. */
export function startChange(
  target: IEnvTarget,
  command: RevisionCommand,
  args: string[]
): IBegunChange {
  assertNoChangeRunning(target);
  return { command, args, ...beginChange(target, command, args) };
}

/**
 * Keep the installer's log and return its path; when the run failed, throw
 * (`message` words it from what stopped the run, if anything).
 */
export function settleRun(
  target: IEnvTarget,
  begun: IBegunChange,
  run: { code: number | null; stopped: string | null; log: string },
  message: (stopped: string | null) => string,
  fallbackHint: string
): string | null {
  const logFile = keepLog(target, run.log);
  if (run.stopped || run.code !== 0) {
    throw failedChange(
      target,
      begun.before,
      begun.revisions,
      message(run.stopped),
      logFile ? `the installer's output is in ${logFile}` : fallbackHint
    );
  }
  return logFile;
}

/**
 * The names an uninstall was given, each matching `pattern`; else a
 * UserError naming the first bad one (escaped).
 */
export function assertPackageNames(
  names: string[],
  pattern: RegExp,
  words: { what: string; none: string; bad: string }
): void {
  if (names.length === 0) {
    throw new UserError('no package to uninstall', words.none);
  }
  for (const name of names) {
    if (!pattern.test(name)) {
      throw new UserError(
        `invalid ${words.what} '${elideText(name, 100)}'`,
        words.bad
      );
    }
  }
}

/** The result of a change that ran: the next revision, or none when nothing changed. */
export function finishedChange(
  target: IEnvTarget,
  begun: IBegunChange,
  after: IEnvPackages,
  result: {
    installer: 'pip' | 'conda';
    specs: string[];
    shadowed: IImageShadow[];
    logFile: string | null;
    started: number;
  }
): IEnvInstallResult {
  const kind = result.installer;
  const changes = packageChanges(begun.before[kind], after[kind], kind);
  let revision: number | null = null;
  if (changes.length) {
    revision = finishChange(
      target,
      begun.command,
      begun.args,
      begun.revisions,
      after
    );
  } else {
    clearPending(target.envDir);
  }
  return {
    prefix: target.envDir,
    installer: kind,
    dryRun: false,
    specs: result.specs,
    changes,
    shadowed: result.shadowed,
    refused: null,
    revision,
    logFile: result.logFile,
    elapsedMs: elapsedSince(result.started)
  };
}
