/**
 * `mlc env remove`: delete an env made by mlc (it must carry a valid
 * .mlc-env.json) and unregister its kernel. The env is first renamed to a
 * hidden sibling, so it disappears at once, then deleted without following
 * a single link: the base, reached through hundreds of them, is never touched.
 */
import * as fs from 'fs';
import type { IEnvRemoveResult } from '../../core/envRecord';
import { isWithin, normalizeAbsolute, shortDigest } from '../../core/validate';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { existingEnvPath, requireEnvRecord } from './existing';
import { fsUserError } from './fsErrors';
import { jupyterDataDir, listEnvKernels, unregisterKernel } from './kernel';
import { removeTree } from './removeTree';

export function removeEnv(raw: string, context: ICliContext): IEnvRemoveResult {
  const envDir = existingEnvPath(raw, context.cwd);
  const stat = fs.lstatSync(envDir, { throwIfNoEntry: false });
  if (!stat) {
    return Private.removeOrphanKernel(envDir, context);
  }
  if (stat.isSymbolicLink()) {
    throw new UserError(`${envDir} is a symbolic link; mlc removes an env only by its own path`, `give the path it points to: ${fs.realpathSync(envDir)}`);
  }
  const record = requireEnvRecord(envDir);
  const physical = fs.realpathSync(envDir);
  for (const base of [record.basePrefix, Private.realpathOrSelf(record.basePrefix)]) {
    if (isWithin(normalizeAbsolute(base), physical)) {
      throw new UserError(`${envDir} contains its own base ${record.basePrefix}; nothing was removed`, 'remove it by hand if you are sure');
    }
  }
  const parent = envDir.slice(0, envDir.lastIndexOf('/')) || '/';
  const doomed = `${parent}/.mlc-tmp.rm.${shortDigest(envDir)}.${process.pid}`;
  try {
    fs.renameSync(envDir, doomed);
  } catch (error) {
    throw fsUserError(error, `removing ${envDir}`);
  }
  try {
    removeTree(doomed);
  } catch (error) {
    throw new UserError(`${envDir} was moved aside to ${doomed} but could not be deleted: ${(error as Error).message}`, `delete ${doomed} by hand`, 1);
  }
  let kernelName: string | null = null;
  if (record.kernelName) {
    try {
      const removed = unregisterKernel(jupyterDataDir(context), record.kernelName, [envDir, record.prefix]);
      kernelName = removed ? record.kernelName : null;
    } catch (error) {
      throw fsUserError(error, `unregistering the kernel ${record.kernelName}`);
    }
  }
  return { prefix: envDir, kernelName };
}

namespace Private {
  /** No env at `envDir`: unregister a kernel left pointing at it, or refuse. */
  export function removeOrphanKernel(envDir: string, context: ICliContext): IEnvRemoveResult {
    let dataDir: string | null = null;
    try {
      dataDir = jupyterDataDir(context);
    } catch {
      // No data dir: no kernel either.
    }
    const orphan = dataDir ? listEnvKernels(dataDir).find(kernel => kernel.facts?.envPrefix === envDir) : undefined;
    if (!dataDir || !orphan) {
      throw new UserError(`${envDir} does not exist and no kernel is registered for it`, 'mlc env list shows the envs');
    }
    unregisterKernel(dataDir, orphan.name, [envDir]);
    return { prefix: envDir, kernelName: orphan.name };
  }

  export function realpathOrSelf(file: string): string {
    try {
      return fs.realpathSync(file);
    } catch {
      return file;
    }
  }
}
