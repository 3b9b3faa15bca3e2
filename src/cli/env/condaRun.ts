/**
 * Running the image's conda installer (docs/architecture.md, "Env life";
 * found by condaFinder.ts). It is driven by its documented command line only (`install` /
 * `remove` with `-p`, `-y`, `--json`, `--dry-run`, `-c`,
 * `--override-channels`, `--` before the specs) and run as pip is
 * (`pipRun.ts`: its own process group, a time bound, bounded output). Its
 * `--json` answer is read by `src/core/condaSpec.ts`.
 */
import {
  parseCondaAnswer,
  type ICondaAction,
  type ICondaTransaction
} from '../../core/condaSpec';
import {
  changeKind,
  normalizeName,
  type IImageShadow,
  type IPackageChange
} from '../../core/envLife';
import { UserError } from '../errors';
import { listRealDirectory } from '../fs/listDir';
import { condaRecordParts } from './base';
import type { ICondaInstaller } from './condaFinder';
import { runInstaller, type IPipRun } from './pipRun';

export {
  CONDA_INSTALLERS,
  condaInstallerName,
  findCondaInstaller,
  type ICondaInstaller
} from './condaFinder';

/** The environment the installer runs in: the caller's, minus what would send it elsewhere. */
export function condaEnvironment(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of Object.keys(env)) {
    if (
      /^(CONDA_(PREFIX|DEFAULT_ENV|SHLVL|ENVS_PATH|ENVS_DIRS|DRY_RUN|JSON|YES|ALWAYS_YES)|MAMBA_(DEFAULT_ENV|TARGET_PREFIX|DRY_RUN|JSON)|PYTHONPATH|PYTHONHOME|PYTHONSTARTUP|VIRTUAL_ENV)$/.test(
        name
      ) ||
      /^CONDA_PREFIX_\d+$/.test(name)
    ) {
      delete env[name];
    }
  }
  env.NO_COLOR = '1';
  env.PYTHONNOUSERSITE = '1';
  return env;
}

export interface ICondaRunOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  channels: string[];
  dryRun: boolean;
}

/** `install` or `remove` in `prefix` (the specs validated by the caller). */
export function runConda(
  installer: ICondaInstaller,
  command: 'install' | 'remove',
  prefix: string,
  specs: string[],
  options: ICondaRunOptions
): Promise<IPipRun> {
  const args = [command, '-p', prefix, '-y', '--json'];
  if (options.dryRun) {
    args.push('--dry-run');
  }
  if (command === 'install') {
    for (const channel of options.channels) {
      args.push('-c', channel);
    }
    if (options.channels.length) {
      args.push('--override-channels');
    }
  }
  return runInstaller(installer.program, [...args, '--', ...specs], {
    env: options.env,
    timeoutMs: options.timeoutMs
  });
}

/** The answer of a finished run, or a UserError saying what went wrong. */
export function condaAnswer(
  installer: ICondaInstaller,
  run: IPipRun,
  doing: string
): ICondaTransaction {
  if (run.stopped || run.code !== 0) {
    throw new UserError(
      `${installer.name} could not ${doing}: ${run.stopped ? `stopped (${run.stopped})` : run.notFound ? 'it could not be started' : condaErrorLine(run.log)}`,
      'check the specs and channels (mlc env install ENV --conda --dry-run -- SPEC shows what would happen)',
      1
    );
  }
  const answer = parseCondaAnswer(run.stdout);
  if (!answer.ok) {
    throw new UserError(
      `${installer.name}'s answer could not be read: ${answer.error}`,
      "check the image's conda installer (it must answer --json as micromamba does)",
      1
    );
  }
  return answer.value;
}

/** The installer's last message line, for the one line users see. */
export function condaErrorLine(log: string): string {
  const lines = log
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !/^[{}[\],]/.test(line) && !/^"/.test(line));
  const last = lines.length ? lines[lines.length - 1] : '';
  return (
    last
      .replace(/^(critical|error)\s+(libmamba\s+)?/i, '')
      .replace(/[^\x20-\x7e]/g, '?')
      .slice(0, 400) || 'it failed'
  );
}

/** The base's conda records: normalised name -> version and build. */
export function baseCondaRecords(
  basePrefix: string
): Map<string, { name: string; version: string; build: string }> {
  const records = new Map<
    string,
    { name: string; version: string; build: string }
  >();
  const listing = listRealDirectory(`${basePrefix}/conda-meta`, 200000);
  if (!listing.ok) {
    return records;
  }
  for (const entry of listing.entries) {
    const parts = entry.name.endsWith('.json')
      ? condaRecordParts(entry.name)
      : null;
    if (parts) {
      records.set(normalizeName(parts.name), parts);
    }
  }
  return records;
}

/**
 * The image packages a transaction would link another version or build
 * of, or unlink: each as `name <image version> (image) -> <env version> (env)`.
 * `imagePip` (normalised name -> the image's pip distribution) catches a
 * conda package that would shadow a pip package of the image's of its name.
 */
export function condaImageConflicts(
  basePrefix: string,
  transaction: ICondaTransaction,
  imagePip: ReadonlyMap<string, { version: string }> = new Map()
): IImageShadow[] {
  const base = baseCondaRecords(basePrefix);
  const linked = new Map(
    transaction.link.map(action => [normalizeName(action.name), action])
  );
  const conflicts = new Map<string, IImageShadow>();
  for (const action of transaction.link) {
    const image = base.get(normalizeName(action.name));
    if (
      image &&
      (image.version !== action.version || image.build !== action.build)
    ) {
      conflicts.set(normalizeName(action.name), {
        name: action.name,
        ...Private.versions(image, action)
      });
    }
  }
  for (const action of transaction.link) {
    const key = normalizeName(action.name);
    const pip = base.has(key) ? undefined : imagePip.get(key);
    if (pip && pip.version !== action.version) {
      conflicts.set(key, {
        name: action.name,
        imageVersion: pip.version,
        envVersion: action.version
      });
    }
  }
  for (const action of transaction.unlink) {
    const key = normalizeName(action.name);
    const image = base.get(key);
    if (image && !linked.has(key)) {
      conflicts.set(key, {
        name: action.name,
        imageVersion: image.version,
        envVersion: 'removed'
      });
    }
  }
  return [...conflicts.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The transaction as the package changes `env install` reports. */
export function condaChanges(transaction: ICondaTransaction): IPackageChange[] {
  const unlinked = new Map(
    transaction.unlink.map(action => [normalizeName(action.name), action])
  );
  const changes: IPackageChange[] = [];
  for (const action of transaction.link) {
    const was = unlinked.get(normalizeName(action.name));
    unlinked.delete(normalizeName(action.name));
    const from = was?.version ?? null;
    changes.push({
      name: action.name,
      from,
      to: action.version,
      kind: changeKind(from, action.version),
      installer: 'conda'
    });
  }
  for (const action of unlinked.values()) {
    changes.push({
      name: action.name,
      from: action.version,
      to: null,
      kind: 'remove',
      installer: 'conda'
    });
  }
  return changes.sort((a, b) => a.name.localeCompare(b.name));
}

/** `name==version=build`: the one record a spec can match. */
export function exactCondaSpec(pin: {
  name: string;
  version: string;
  build: string;
}): string {
  return `${pin.name}==${pin.version}=${pin.build}`;
}

namespace Private {
  /** Versions as the refusal shows them; builds added when the versions are equal. */
  export function versions(
    image: { version: string; build: string },
    action: ICondaAction
  ): { imageVersion: string; envVersion: string } {
    return image.version === action.version
      ? {
          imageVersion: `${image.version}=${image.build}`,
          envVersion: `${action.version}=${action.build}`
        }
      : { imageVersion: image.version, envVersion: action.version };
  }
}
