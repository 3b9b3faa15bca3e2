/**
 * Kernels left behind by envs deleted by hand (`rm -rf`) or replaced by
 * something else at the same path (docs/architecture.md, "Dangling
 * kernels"): `mlc env list` reports them, `mlc env check --fix` unregisters
 * them, and only those that prove to be mlc's (their metadata carries a
 * creation id). A kernel directory or kernel.json that is a link is never
 * followed: it is neither read here nor removed.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  CREATION_ID_PATTERN,
  ENV_RECORD_FILE,
  type IEnvCheckResult,
  type IEnvProblem
} from '../../core/envRecord';
import { shQuote } from '../../core/quote';
import { kernelNameProblem, recordedPathProblem } from '../../core/problemText';
import { normalizeAbsolute } from '../../core/validate';
import { errnoCode } from '../fs/errors';
import { entryStat, isRealDirectory } from '../fs/probes';
import { removeTree } from '../fs/removeTree';
import { kernelDir, readKernel, type IRegisteredKernel } from './kernel';
import { readEnvRecord } from './layout';

/**
 * Why a kernel's env is not there:
 * - `missing`: nothing at its prefix, in a folder that exists;
 * - `replaced`: a folder without an env record, or another creation's env,
 *   stands there now;
 * - `unreachable`: the prefix's folder is gone too (a file system that is
 *   not mounted here, perhaps): reported, never unregistered by --fix.
 */
export type DanglingReason = 'missing' | 'replaced' | 'unreachable';

export interface IDanglingKernel {
  kernel: IRegisteredKernel;
  envPrefix: string;
  reason: DanglingReason;
  /** mlc registered it (a creation id in its metadata) and --fix may unregister it. */
  fixable: boolean;
}

/**
 * The problem codes: an env gone with its kernel left, an old kernel beside
 * a new env, and an env whose folder is not there either (the launcher
 * hides the first two; the third may be a file system mounted later).
 */
export const ENV_MISSING = 'env-missing';
export const KERNEL_DANGLING = 'kernel-dangling';
export const ENV_UNREACHABLE = 'env-unreachable';

/**
 * How the search reads a kernel and an env record: `mlc env list` hands in
 * the reads of its listing, so each file is read once per listing.
 */
export interface IDanglingReads {
  kernel(name: string): IRegisteredKernel | null;
  record(prefix: string): ReturnType<typeof readEnvRecord>;
}

/** Every dangling kernel in `dataDir`, or those of the env prefix `only`. */
export function findDanglingKernels(
  dataDir: string,
  only?: string,
  reads: IDanglingReads = {
    kernel: name => readKernel(dataDir, name),
    record: readEnvRecord
  }
): IDanglingKernel[] {
  let names: string[];
  try {
    names = fs.readdirSync(`${dataDir}/kernels`);
  } catch {
    return [];
  }
  const found: IDanglingKernel[] = [];
  for (const name of names.sort()) {
    const dangling = Private.verdict(dataDir, name, reads);
    if (dangling && (only === undefined || dangling.envPrefix === only)) {
      found.push(dangling);
    }
  }
  return found;
}

/** How `mlc env list` and `env check` word a dangling kernel. */
export function danglingProblem(dangling: IDanglingKernel): IEnvProblem {
  const { kernel, envPrefix, reason } = dangling;
  const quoted = shQuote(envPrefix, 'always');
  const where =
    reason === 'missing'
      ? `${envPrefix}, which was deleted`
      : reason === 'replaced'
        ? `an env that was at ${envPrefix} and is not there any more`
        : `${envPrefix}, whose folder ${path.dirname(envPrefix)} is not reachable either`;
  return {
    code:
      reason === 'replaced'
        ? KERNEL_DANGLING
        : reason === 'missing'
          ? ENV_MISSING
          : ENV_UNREACHABLE,
    message: `the kernel ${kernel.name} belongs to ${where}`,
    fixable: dangling.fixable,
    hint: dangling.fixable
      ? `unregister it: mlc env check ${quoted} --fix (or mlc env check --all --fix)`
      : reason === 'unreachable'
        ? `if its file system is not mounted here, mount it; else unregister it: jupyter kernelspec remove ${kernel.name}`
        : `it has no mlc creation id; unregister it by hand: jupyter kernelspec remove ${kernel.name}`
  };
}

/**
 * Unregister the dangling kernels of `envPrefix` that are mlc's: each is
 * judged again just before (same creation, env still not there) and removed
 * by the one removal module, which refuses a directory swapped for a link.
 * Returns the problems repaired and those left.
 */
export function unregisterDanglingKernels(
  dataDir: string,
  envPrefix: string
): { fixed: IEnvProblem[]; left: IEnvProblem[] } {
  const fixed: IEnvProblem[] = [];
  const left: IEnvProblem[] = [];
  for (const dangling of findDanglingKernels(dataDir, envPrefix)) {
    const again = dangling.fixable
      ? Private.verdict(dataDir, dangling.kernel.name)
      : null;
    if (
      again?.fixable &&
      again.envPrefix === envPrefix &&
      again.kernel.creationId === dangling.kernel.creationId
    ) {
      removeTree(kernelDir(dataDir, dangling.kernel.name));
      fixed.push(danglingProblem(dangling));
    } else {
      left.push(danglingProblem(dangling));
    }
  }
  return { fixed, left };
}

namespace Private {
  /** The kernel `name` when it is a dangling env kernel, else null. */
  export function verdict(
    dataDir: string,
    name: string,
    reads: IDanglingReads = {
      kernel: kernelName => readKernel(dataDir, kernelName),
      record: readEnvRecord
    }
  ): IDanglingKernel | null {
    if (kernelNameProblem(name)) {
      return null;
    }
    const dir = `${dataDir}/kernels/${name}`;
    // Never through a link: ours are real directories holding a regular kernel.json.
    if (
      !isRealDirectory(dir) ||
      entryStat(`${dir}/kernel.json`)?.isFile() !== true
    ) {
      return null;
    }
    const kernel = reads.kernel(name);
    const envPrefix = kernel?.facts?.envPrefix;
    if (
      !kernel ||
      kernel.facts?.role !== 'extended-env' ||
      !envPrefix ||
      recordedPathProblem(envPrefix) ||
      normalizeAbsolute(envPrefix) !== envPrefix
    ) {
      return null;
    }
    const reason = reasonOf(kernel, envPrefix, reads);
    if (!reason) {
      return null;
    }
    const ours =
      kernel.creationId !== null && CREATION_ID_PATTERN.test(kernel.creationId);
    return {
      kernel,
      envPrefix,
      reason,
      fixable: ours && reason !== 'unreachable'
    };
  }

  /** Why the kernel's env is not at `envPrefix`, or null when it is (or when that cannot be told). */
  function reasonOf(
    kernel: IRegisteredKernel,
    envPrefix: string,
    reads: IDanglingReads
  ): DanglingReason | null {
    // The record first: `env list` has read it already, and a readable one
    // says the env's path is there (no lstat needed for the 50 envs listed).
    const record = reads.record(envPrefix);
    if (record.ok) {
      const env = record.value;
      // Another creation at the same path that did not take over this kernel.
      const other =
        normalizeAbsolute(env.prefix) === envPrefix &&
        !!kernel.creationId &&
        !!env.creationId &&
        env.creationId !== kernel.creationId &&
        env.kernelName !== kernel.name;
      return other ? 'replaced' : null;
    }
    const stat = lstatOrError(envPrefix);
    if (stat === 'error') {
      return null; // no permission to look, say: not proven gone
    }
    if (stat === null) {
      const parent = lstatOrError(path.dirname(envPrefix));
      return parent !== 'error' && parent?.isDirectory()
        ? 'missing'
        : 'unreachable';
    }
    // No record at all (an edited or unreadable one is not proof).
    const recordStat = lstatOrError(`${envPrefix}/${ENV_RECORD_FILE}`);
    return !stat.isDirectory() || recordStat === null ? 'replaced' : null;
  }

  /** lstat: the stats, null when nothing is there (ENOENT, ENOTDIR), 'error' otherwise. */
  function lstatOrError(file: string): fs.Stats | null | 'error' {
    try {
      return fs.lstatSync(file, { throwIfNoEntry: false }) ?? null;
    } catch (error) {
      return errnoCode(error) === 'ENOTDIR' ? null : 'error';
    }
  }
}

/**
 * `mlc env check PREFIX [--fix]` with the dangling kernels of PREFIX: when
 * no env is there, the kernels alone are the result (so a deleted env's
 * kernel is checked and fixed like any env); else they join `check()`'s.
 */
export function checkWithDanglingKernels(
  envDir: string,
  dataDir: string | null,
  fix: boolean,
  check: () => IEnvCheckResult
): IEnvCheckResult {
  const dangling = dataDir ? findDanglingKernels(dataDir, envDir) : [];
  if (!dataDir || dangling.length === 0) {
    return check();
  }
  const { fixed, left } = fix
    ? unregisterDanglingKernels(dataDir, envDir)
    : { fixed: [], left: dangling.map(danglingProblem) };
  if (readEnvRecord(envDir).ok) {
    const result = check();
    return {
      ...result,
      problems: [...left, ...result.problems],
      fixed: [...fixed, ...result.fixed]
    };
  }
  const facts = dangling[0].kernel.facts;
  return {
    name: facts?.envName ?? '',
    prefix: envDir,
    basePrefix: facts?.prefix ?? '',
    baseImage: facts?.image ?? '',
    python: facts?.python ?? '',
    createdAt: '',
    kernelName: left.length ? dangling[0].kernel.name : null,
    problems: left,
    fixed
  };
}
