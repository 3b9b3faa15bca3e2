/**
 * `mlc env export ENV [-o FILE]` and `mlc env create PATH --from FILE`
 * (docs/architecture.md, "Env life"): a versioned lock file of the image's
 * identity, the env's Python and its own pins (with hashes where pip gave
 * them) and its own conda records (with channel and digests); recreated on
 * the same image with the image's conda installer (exact records) and pip
 * --no-deps from those pins.
 * A lock file is user input: bounded, validated field by field, and never a
 * source of paths.
 */
import * as path from 'path';
import {
  LOCK_VERSION,
  MAX_LOCK_BYTES,
  REVISIONS_DIR,
  normalizeName,
  packageChanges,
  parseEnvLock,
  type CondaPin,
  type EnvLock,
  type IEnvExportResult,
  type IEnvInstallResult
} from '../../core/envLife';
import type { IEnvCreateResult } from '../../core/envRecord';
import { userPathProblem } from '../../core/problemText';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { fsUserError } from '../fs/errors';
import { readRegularFile } from '../fs/regularFile';
import { removeEntry } from '../fs/removeTree';
import { writeFileStaged } from '../fs/stagedWrite';
import {
  checkCondaPins,
  condaPinsPlan,
  runCondaPins,
  type ICondaPinsPlan
} from './condaInstall';
import { condaErrorLine } from './condaRun';
import { createEnv, type ICreateOptions } from './create';
import {
  beginChange,
  changeTarget,
  finishChange,
  installTimeoutMs,
  keepLog,
  pipErrorLine
} from './envChange';
import { existingEnvPath, requireEnvRecord } from './existing';
import { basePipPackages, currentImage } from './imageIdentity';
import { chooseBase, inspectBase } from './base';
import { PIP_QUIET_FLAGS } from './install';
import { pipEnvironment, runPip } from './pipRun';
import { removeEnv } from './remove';
import { envPackages, knownHashes, readRevisions } from './revisions';
import type { IScriptTemplates } from './scripts';

export function exportEnv(
  options: { prefix: string; output?: string },
  context: ICliContext
): IEnvExportResult {
  const envDir = existingEnvPath(options.prefix, context.cwd);
  const record = requireEnvRecord(envDir);
  const { revisions } = readRevisions(envDir);
  const hashes = knownHashes(revisions);
  const packages = envPackages(envDir, record.python);
  const last = revisions.length ? revisions[revisions.length - 1] : null;
  const lock: EnvLock = {
    kind: 'mlc-env-lock',
    lockVersion: LOCK_VERSION,
    exportedAt: new Date().toISOString(),
    envName: record.name,
    image:
      record.image ?? currentImage(record.basePrefix, record.python).identity,
    python: last?.python ?? record.python,
    pip: packages.pip.map(pin => {
      const hash = hashes.get(`${normalizeName(pin.name)}==${pin.version}`);
      return {
        name: pin.name,
        version: pin.version,
        ...(hash ? { hash } : {})
      };
    }),
    conda: packages.conda
  };
  let file: string | null = null;
  if (options.output !== undefined) {
    const problem = userPathProblem(options.output);
    if (problem) {
      throw new UserError(
        `invalid -o path: ${problem}`,
        'give a file path, e.g. -o myEnv.lock.json'
      );
    }
    file = path.resolve(context.cwd, options.output);
    try {
      writeFileStaged(file, JSON.stringify(lock, null, 1) + '\n');
    } catch (error) {
      throw fsUserError(error, `writing ${file}`);
    }
  }
  return { prefix: envDir, file, lock };
}

/** Read and validate a lock file the user names. */
export function readLockFile(raw: string, cwd: string): EnvLock {
  const problem = userPathProblem(raw);
  if (problem) {
    throw new UserError(
      `invalid --from path: ${problem}`,
      'give the lock file mlc env export wrote'
    );
  }
  const file = path.resolve(cwd, raw);
  const read = readRegularFile(file, {
    maxBytes: MAX_LOCK_BYTES,
    strictUtf8: true
  });
  if (!read.ok) {
    throw new UserError(
      `the lock file ${file} ${read.reason}`,
      'give the lock file mlc env export wrote'
    );
  }
  const parsed = parseEnvLock(read.text, `the lock file ${file}`);
  if (!parsed.ok) {
    throw new UserError(
      parsed.error,
      'give a lock file written by mlc env export (not edited)'
    );
  }
  return parsed.value;
}

export interface ICreateFromResult extends IEnvCreateResult {
  /** What the lock's pins installed. */
  installed: IEnvInstallResult['changes'];
  /** The lock's differences from this image, when --allow-other-image let it through. */
  imageDifferences: string[];
}

export async function createFromLock(
  options: ICreateOptions & { from: string; allowOtherImage: boolean },
  context: ICliContext,
  templates: IScriptTemplates
): Promise<ICreateFromResult> {
  const lock = readLockFile(options.from, context.cwd);
  // Refuse another image before anything is made.
  const base = inspectBase(chooseBase(options.base, context));
  // The lock's conda pins and channels checked (and the image's installer found) first, too.
  const conda = lock.conda.length
    ? Private.lockCondaPlan(base.prefix, lock, options.from)
    : null;
  const image = currentImage(base.prefix, base.python, base.image);
  const differences = Private.differences(
    lock,
    image.identity,
    basePipPackages(base.prefix, base.python)
  );
  if (lock.image.packagesDigest !== image.identity.packagesDigest) {
    if (!options.allowOtherImage) {
      throw new UserError(
        `the lock file was made on another image (${lock.image.reference || 'unnamed'} built ${lock.image.buildDate || 'unknown'}; this one: ${image.identity.reference || 'unnamed'} built ${image.identity.buildDate || 'unknown'})`,
        'create it on that image, or pass --allow-other-image to try anyway'
      );
    }
    context.reporter.warning(
      `the lock file was made on another image: ${differences.length ? differences.join('; ') : 'its package list differs'}`
    );
  }
  const created = createEnv(options, context, templates);
  try {
    const target = changeTarget(created.prefix, context);
    const installed = await Private.installPins(
      target,
      lock,
      context,
      options.from,
      conda
    );
    return { ...created, installed, imageDifferences: differences };
  } catch (error) {
    // The env is ours and seconds old: take it back, kernel and all.
    try {
      removeEnv(created.prefix, context);
    } catch {
      // Best effort: the error below says what went wrong.
    }
    throw error;
  }
}

namespace Private {
  export function differences(
    lock: EnvLock,
    identity: { reference: string; buildDate: string },
    imagePip: Array<{ name: string; version: string }>
  ): string[] {
    const lines: string[] = [];
    if (lock.image.reference !== identity.reference) {
      lines.push(
        `image ${lock.image.reference || 'unnamed'} -> ${identity.reference || 'unnamed'}`
      );
    }
    if (lock.image.buildDate !== identity.buildDate) {
      lines.push(
        `built ${lock.image.buildDate || 'unknown'} -> ${identity.buildDate || 'unknown'}`
      );
    }
    const image = new Map(
      imagePip.map(pkg => [normalizeName(pkg.name), pkg.version])
    );
    for (const pin of lock.pip) {
      const version = image.get(normalizeName(pin.name));
      if (version !== undefined && version !== pin.version) {
        lines.push(
          `${pin.name}: the lock pins ${pin.version}, this image has ${version}`
        );
      }
    }
    return lines;
  }

  export function lockCondaPlan(
    basePrefix: string,
    lock: EnvLock,
    from: string
  ): ICondaPinsPlan {
    try {
      return condaPinsPlan(basePrefix, lock.conda);
    } catch (error) {
      if (error instanceof UserError) {
        throw new UserError(
          `the lock file ${from} cannot be recreated: ${error.message}`,
          error.hint ||
            'give a lock file written by mlc env export (not edited)',
          error.exitCode
        );
      }
      throw error;
    }
  }

  export async function installPins(
    target: ReturnType<typeof changeTarget>,
    lock: EnvLock,
    context: ICliContext,
    from: string,
    conda: ICondaPinsPlan | null
  ): Promise<IEnvInstallResult['changes']> {
    if (lock.pip.length === 0 && !conda) {
      return [];
    }
    const args = ['--from', from];
    const { revisions, before } = beginChange(target, 'install', args);
    let condaLog = '';
    if (conda) {
      await checkCondaPins(
        target.envDir,
        target.record.basePrefix,
        conda,
        context
      );
      const run = await runCondaPins(target.envDir, conda, context);
      condaLog = run.log;
      if (run.stopped || run.code !== 0) {
        keepLog(target, run.log);
        throw new UserError(
          `${conda.installer.name} could not install the lock file's conda pins: ${run.stopped ?? condaErrorLine(run.log)}; no env was made`,
          'make the channel reachable (or the packages available) and try again',
          1
        );
      }
      Private.checkDigests(
        lock,
        envPackages(target.envDir, target.record.python).conda
      );
    }
    if (lock.pip.length === 0) {
      keepLog(target, condaLog);
      context.reporter.progress('verifying the env', 'verify');
      const after = envPackages(target.envDir, target.record.python);
      finishChange(target, 'install', args, revisions, after);
      return packageChanges(before.conda, after.conda, 'conda');
    }
    // Hashes checked when every pin has one (pip's hash mode is all or nothing).
    const hashed = lock.pip.every(pin => pin.hash);
    const requirements = `${target.envDir}/${REVISIONS_DIR}/.requirements-${process.pid}.txt`;
    writeFileStaged(
      requirements,
      lock.pip
        .map(
          pin =>
            `${pin.name}==${pin.version}${hashed ? ` --hash=${pin.hash}` : ''}\n`
        )
        .join('')
    );
    context.reporter.progress(
      `installing ${lock.pip.length} pinned package(s)`,
      'install'
    );
    let run;
    try {
      run = await runPip(
        target.interpreter,
        [
          'install',
          ...PIP_QUIET_FLAGS,
          '--no-deps',
          ...(hashed ? ['--require-hashes'] : []),
          '-r',
          requirements
        ],
        {
          env: pipEnvironment(context.env),
          timeoutMs: installTimeoutMs(context),
          onPhase: (phase, line) => context.reporter.progress(line, phase)
        }
      );
    } finally {
      removeEntry(requirements);
    }
    keepLog(target, condaLog + run.log);
    if (run.stopped || run.code !== 0) {
      throw new UserError(
        `pip could not install the lock file's pins: ${run.stopped ?? pipErrorLine(run.log)}; no env was made`,
        'make the package index reachable (or the wheels available) and try again',
        1
      );
    }
    context.reporter.progress('verifying the env', 'verify');
    const after = envPackages(target.envDir, target.record.python);
    const hashes = new Map(
      lock.pip.map(pin => [
        `${normalizeName(pin.name)}==${pin.version}`,
        pin.hash
      ])
    );
    after.pip = after.pip.map(pin => {
      const hash = hashes.get(`${normalizeName(pin.name)}==${pin.version}`);
      return hash ? { ...pin, hash } : pin;
    });
    finishChange(target, 'install', args, revisions, after);
    return [
      ...packageChanges(before.conda, after.conda, 'conda'),
      ...packageChanges(before.pip, after.pip, 'pip')
    ];
  }

  /** The lock's digests against the records the installer wrote: a mismatch is not the same package. */
  export function checkDigests(lock: EnvLock, installed: CondaPin[]): void {
    const found = new Map(
      installed.map(pin => [
        `${normalizeName(pin.name)} ${pin.version} ${pin.build}`,
        pin
      ])
    );
    for (const pin of lock.conda) {
      const record = found.get(
        `${normalizeName(pin.name)} ${pin.version} ${pin.build}`
      );
      const problem = !record
        ? 'was not installed'
        : pin.sha256 && record.sha256 && pin.sha256 !== record.sha256
          ? 'has another sha256 than the lock file'
          : pin.md5 && record.md5 && pin.md5 !== record.md5
            ? 'has another md5 than the lock file'
            : null;
      if (problem) {
        throw new UserError(
          `the conda package ${pin.name} ${pin.version} ${pin.build} ${problem}; no env was made`,
          'check the channel: it must serve the packages the lock file was made with',
          1
        );
      }
    }
  }
}
