/** Finding an existing env from the user's path, and summarising it. */
import * as fs from 'fs';
import * as path from 'path';
import type { EnvRecord, IEnvProblem, IEnvSummary } from '../../core/envRecord';
import { normalizeAbsolute } from '../../core/validate';
import { userPathProblem } from '../../core/problemText';
import { UserError } from '../errors';
import { condaInstallerName } from './condaFinder';
import { readEnvRecord } from './layout';

/** The user's env path, absolute and normalised; a bad path is a UserError. */
export function existingEnvPath(raw: string, cwd: string): string {
  const problem = userPathProblem(raw);
  if (problem) {
    throw new UserError(
      `invalid env path: ${problem}`,
      'give the path of an env made by mlc env create'
    );
  }
  return normalizeAbsolute(path.isAbsolute(raw) ? raw : `${cwd}/${raw}`);
}

/** The record of the env at `envDir`; anything else is a UserError. */
export function requireEnvRecord(envDir: string): EnvRecord {
  const stat = fs.statSync(envDir, { throwIfNoEntry: false });
  if (!stat) {
    throw new UserError(
      `${envDir} does not exist`,
      'give the path of an env made by mlc env create (mlc env list shows them)'
    );
  }
  const record = readEnvRecord(envDir);
  if (!stat.isDirectory() || !record.ok) {
    throw new UserError(
      `${envDir} is not an mlc env (${stat.isDirectory() && !record.ok ? record.error : 'not a directory'})`,
      'give the path of an env made by mlc env create (mlc env list shows them)'
    );
  }
  return record.value;
}

/** The summary `list` and `check` report. */
export function envSummary(
  record: EnvRecord,
  envDir: string,
  problems: IEnvProblem[],
  installerOf: (basePrefix: string) => string | null = condaInstallerName
): IEnvSummary {
  return {
    name: record.name,
    prefix: envDir,
    basePrefix: record.basePrefix,
    baseImage: record.baseImage,
    python: record.python,
    createdAt: record.createdAt,
    kernelName: record.kernelName,
    problems,
    condaInstaller: installerOf(record.basePrefix)
  };
}
