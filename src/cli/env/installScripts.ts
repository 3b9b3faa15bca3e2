/**
 * `mlc env install-scripts --dir D`: write the seed's entry point
 * `create-newEnv-on-base.sh` into D (the image build puts it at
 * /create-newEnv-on-base.sh). When the base and mlc lie below D, the script
 * finds them relative to itself, so it also works when the image is reached
 * at another path (host mode from CVMFS).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { IEnvInstallScriptsResult } from '../../core/envRecord';
import { isWithin } from '../../core/validate';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { chooseBase, inspectBase } from './base';
import { existingEnvPath } from './existing';
import { fsUserError } from '../fs/errors';
import { replaceFile } from './layout';
import { PLAN_FILE, writePlan } from './plan';
import {
  CREATE_SCRIPT,
  createScriptText,
  type IScriptTemplates,
  type ScriptLocation
} from './scripts';

export interface IInstallScriptsOptions {
  dir: string;
  base?: string;
  /** Also write the env plan into the base (an image build, while the base is writable). */
  plan?: boolean;
}

export function installScripts(
  options: IInstallScriptsOptions,
  context: ICliContext,
  templates: IScriptTemplates
): IEnvInstallScriptsResult {
  const dir = existingEnvPath(options.dir, context.cwd);
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError(
      `${dir} is not a directory`,
      'create it first, or give another --dir'
    );
  }
  const facts = inspectBase(chooseBase(options.base, context));
  const base = facts.prefix;
  const script = `${dir === '/' ? '' : dir}/${CREATE_SCRIPT}`;
  const text = createScriptText(templates, {
    scriptPath: script,
    base: Private.locate(base, dir),
    command: Private.mlcCommand(context, dir)
  });
  try {
    replaceFile(script, text, 0o755);
  } catch (error) {
    throw fsUserError(error, `writing ${script}`);
  }
  if (!options.plan) {
    return { script, basePrefix: base };
  }
  try {
    return { script, basePrefix: base, plan: writePlan(facts) };
  } catch (error) {
    const failure = fsUserError(error, `writing ${base}/${PLAN_FILE}`);
    throw new UserError(
      failure.message,
      'run this in the image build, while the base is writable, or leave out --plan',
      failure.exitCode
    );
  }
}

namespace Private {
  export function locate(file: string, dir: string): ScriptLocation {
    return isWithin(file, dir)
      ? { relative: path.posix.relative(dir, file) }
      : { absolute: file };
  }

  /**
   * How the script runs mlc: the launcher of the env mlc is installed in, or
   * (from a source tree) this Node and this bundle.
   */
  export function mlcCommand(
    context: ICliContext,
    dir: string
  ): ScriptLocation[] {
    if (context.installPrefix) {
      return [locate(`${context.installPrefix}/bin/mlc`, dir)];
    }
    return [
      { absolute: process.execPath },
      { absolute: path.resolve(process.argv[1]) }
    ];
  }
}
