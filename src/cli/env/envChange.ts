/**
 * What every package change of an env (install, uninstall, rollback,
 * rebase) shares: the env found and checked, its own pip, the image's
 * packages it must not shadow, the pending mark while the change runs, the
 * log kept in the env, and the revision recorded at the end.
 */
import { isProcessAlive } from '../fs/probes';
import { INSTALL_LOG_FILE, normalizeName } from '../../core/envLife';
import type { EnvRecord } from '../../core/envRecord';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { entryExists } from '../fs/listDir';
import { writeFileStaged } from '../fs/stagedWrite';
import { existingEnvPath, requireEnvRecord } from './existing';
import {
  basePipPackages,
  currentImage,
  type IImageState
} from './imageIdentity';
import {
  clearPending,
  envPackages,
  latestRevision,
  readPending,
  recordedHashes,
  recordRevision,
  samePackages,
  writePending,
  type IEnvPackages
} from './revisions';
import type { EnvRevision, RevisionCommand } from '../../core/envLife';

export interface IEnvTarget {
  envDir: string;
  record: EnvRecord;
  /** `<env>/bin/pythonX.Y`. */
  interpreter: string;
  /** Normalised name -> the image's pip distribution. */
  imagePip: Map<string, { name: string; version: string }>;
  /** The base's site-packages as `basePipPackages` listed it for this run (read once per change). */
  basePip: ReadonlyArray<{ name: string; version: string }>;
}

/** Installers get this long before they are stopped (MLC_INSTALL_TIMEOUT seconds overrides). */
export function installTimeoutMs(context: ICliContext): number {
  const seconds = Number(context.env.MLC_INSTALL_TIMEOUT ?? '');
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 3600000;
}

/** The env at the user's path, ours, with a pip to run; else one clear UserError. */
export function changeTarget(
  raw: string,
  context: ICliContext,
  installer: 'pip' | 'conda' = 'pip'
): IEnvTarget {
  const envDir = existingEnvPath(raw, context.cwd);
  const record = requireEnvRecord(envDir);
  if (record.prefix !== envDir) {
    throw new UserError(
      `the env was created at ${record.prefix} and is now at ${envDir}`,
      `move it back, or check it: mlc env check ${envDir}`
    );
  }
  const interpreter = `${envDir}/bin/python${record.python}`;
  if (!entryExists(interpreter)) {
    throw new UserError(
      `the env has no interpreter bin/python${record.python}`,
      `repair it: mlc env check ${envDir} --fix`,
      1
    );
  }
  if (
    installer === 'pip' &&
    !entryExists(
      `${record.basePrefix}/lib/python${record.python}/site-packages/pip/__init__.py`
    ) &&
    !entryExists(`${envDir}/lib/python${record.python}/site-packages/pip`)
  ) {
    throw new UserError(
      'neither the image nor the env has pip',
      'install packages with --conda, or use an image with pip',
      1
    );
  }
  const basePip = basePipPackages(record.basePrefix, record.python);
  const imagePip = new Map(basePip.map(pkg => [normalizeName(pkg.name), pkg]));
  return { envDir, record, interpreter, imagePip, basePip };
}

/** Refuse when another change of this env is running now. */
export function assertNoChangeRunning(target: IEnvTarget): void {
  const pending = readPending(target.envDir);
  if (pending && pending.pid !== process.pid && isProcessAlive(pending.pid)) {
    throw new UserError(
      `another change of the env is running (mlc env ${pending.command}, process ${pending.pid})`,
      'wait for it to finish, then try again',
      1
    );
  }
}

/**
 * Mark the change as begun; the mark names the revision to roll back to.
 * `revisions` holds the newest readable revision only (or none): all that
 * `finishChange` and `failedChange` read of it; they look further back
 * only for a pin's hash, and only when needed.
 */
export function beginChange(
  target: IEnvTarget,
  command: RevisionCommand,
  args: string[]
): { revisions: EnvRevision[]; before: IEnvPackages } {
  const latest = latestRevision(target.envDir);
  const revisions = latest ? [latest] : [];
  const before = envPackages(target.envDir, target.record.python);
  writePending(target.envDir, {
    command,
    args,
    fromRevision: revisions.length ? revisions[revisions.length - 1].number : 0
  });
  return { revisions, before };
}

/**
 * Record the finished change as the next revision and clear the mark.
 * `revisions`: the env's revisions, oldest first, at least the newest
 * readable one (its Python); a pin without a hash gets the one an earlier
 * revision recorded for the same version.
 */
export function finishChange(
  target: IEnvTarget,
  command: RevisionCommand,
  args: string[],
  revisions: EnvRevision[],
  after: IEnvPackages,
  image: IImageState = currentImage(
    target.record.basePrefix,
    target.record.python,
    undefined,
    target.basePip
  )
): number {
  const revision = recordRevision(
    target.envDir,
    {
      command,
      args,
      image: image.identity,
      python: Private.pythonVersion(revisions, target.record.python),
      packages: after
    },
    recordedHashes(target.envDir, after.pip)
  );
  clearPending(target.envDir);
  return revision.number;
}

/**
 * A change failed: clear the mark when the env is as it was, else leave it
 * (then `env check` reports it) and say how to get back.
 */
export function failedChange(
  target: IEnvTarget,
  before: IEnvPackages,
  revisions: EnvRevision[],
  message: string,
  hint: string
): UserError {
  const now = envPackages(target.envDir, target.record.python);
  if (samePackages(before, now)) {
    clearPending(target.envDir);
    return new UserError(`${message}; the env is unchanged`, hint, 1);
  }
  const last = revisions.length ? revisions[revisions.length - 1].number : 0;
  return new UserError(
    `${message}; the env was changed part way`,
    last
      ? `restore it: mlc env rollback ${target.envDir} ${last}`
      : `see ${target.envDir}/${INSTALL_LOG_FILE}`,
    1
  );
}

/** Keep the installer's output in the env; its path, or null when it could not be written. */
export function keepLog(target: IEnvTarget, text: string): string | null {
  const file = `${target.envDir}/${INSTALL_LOG_FILE}`;
  try {
    writeFileStaged(file, text);
    return file;
  } catch {
    return null;
  }
}

/** pip's own last `ERROR:` line, for the one line users see. */
export function pipErrorLine(log: string): string {
  const lines = log
    .split('\n')
    .map(line => line.trim())
    .filter(line => line.startsWith('ERROR:'));
  const last = lines.length ? lines[lines.length - 1] : '';
  return last.replace(/^ERROR:\s*/, '').slice(0, 400) || 'pip failed';
}

namespace Private {
  /** The env's full Python version: the last revision's, else `X.Y`. */
  export function pythonVersion(
    revisions: EnvRevision[],
    minor: string
  ): string {
    const last = revisions.length ? revisions[revisions.length - 1] : null;
    return last?.python ?? minor;
  }
}
