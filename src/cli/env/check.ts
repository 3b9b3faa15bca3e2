/**
 * `mlc env check [--fix]`: what keeps an env from working (its base moved or
 * changed, its interpreter or kernel gone), each with a repair hint; `--fix`
 * repairs what can be repaired, writing only inside the env and the user's
 * Jupyter data directory.
 */
import * as fs from 'fs';
import type {
  EnvRecord,
  IEnvCheckResult,
  IEnvProblem
} from '../../core/envRecord';
import type { PythonMinor } from '../../core/kernelspec';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { chooseBase, inspectBase, type IBaseFacts } from './base';
import { assertBaseFits } from './target';
import { findLeftovers, leftoverProblem, removeLeftovers } from './leftovers';
import { existingEnvPath, envSummary, requireEnvRecord } from './existing';
import { fsUserError } from '../fs/errors';
import { assertRealPath, ensureRealDirectory } from '../fs/realDir';
import {
  assertKernelSlotFree,
  defaultDisplayName,
  envKernelFile,
  kernelDataDir,
  readKernel,
  registerKernel
} from './kernel';
import {
  pyvenvCfgText,
  readPyvenvHome,
  replaceFile,
  replaceSymlink,
  writeEnvRecord,
  writePipScripts
} from './layout';
import {
  BASE_LINK,
  copyCondaMeta,
  danglingLinks,
  mirrorBase,
  staleRecords
} from './mirror';
import { activationScript, type IScriptTemplates } from './scripts';
import { fixUnfinishedChange, lifeFindings } from './lifeCheck';
import { shQuote } from '../../core/quote';
import { makeSymlink } from '../fs/entries';
import { resolves } from '../fs/probes';
import { removeFile } from '../fs/removeTree';

export interface ICheckOptions {
  prefix: string;
  fix: boolean;
  /** A new base for an env whose base moved (with --fix: re-link to it). */
  base?: string;
}

export function checkEnv(
  options: ICheckOptions,
  context: ICliContext,
  templates: IScriptTemplates
): IEnvCheckResult {
  const envDir = existingEnvPath(options.prefix, context.cwd);
  const record = requireEnvRecord(envDir);
  const wantBase =
    options.base !== undefined
      ? chooseBase(options.base, context)
      : record.basePrefix;
  if (options.base !== undefined) {
    // The base rules of create: `/`, or a base around or inside the env, never.
    assertBaseFits(
      envDir,
      Private.physical(envDir),
      Private.physical(wantBase)
    );
  }
  let before: Private.IDiagnosis;
  try {
    before = Private.diagnose(envDir, record, wantBase, context);
  } catch (error) {
    throw fsUserError(error, `checking the env ${envDir}`);
  }
  const life = lifeFindings(envDir, record);
  if (!options.fix) {
    return {
      ...envSummary(record, envDir, [...before.problems, ...life.problems]),
      ...(life.imageChange ? { imageChange: life.imageChange } : {}),
      fixed: []
    };
  }
  if (fs.lstatSync(envDir).isSymbolicLink()) {
    throw new UserError(
      `${envDir} is a symbolic link; mlc repairs an env only by its own path`,
      `run: mlc env check ${shQuote(fs.realpathSync(envDir), 'always')} --fix`
    );
  }
  try {
    Private.repair(envDir, record, wantBase, before, context, templates);
  } catch (error) {
    throw fsUserError(error, `repairing the env ${envDir}`);
  }
  const fixedRecord = requireEnvRecord(envDir);
  let after: Private.IDiagnosis;
  try {
    after = Private.diagnose(envDir, fixedRecord, wantBase, context);
  } catch (error) {
    throw fsUserError(error, `checking the env ${envDir}`);
  }
  fixUnfinishedChange(envDir, fixedRecord);
  const lifeAfter = lifeFindings(envDir, fixedRecord);
  const problems = [...after.problems, ...lifeAfter.problems];
  const left = new Set(problems.map(problem => problem.code));
  return {
    ...envSummary(fixedRecord, envDir, problems),
    ...(lifeAfter.imageChange ? { imageChange: lifeAfter.imageChange } : {}),
    fixed: [...before.problems, ...life.problems].filter(
      problem => problem.fixable && !left.has(problem.code)
    )
  };
}

namespace Private {
  /** The physical path (links resolved), or the path itself when it cannot be resolved. */
  export function physical(file: string): string {
    try {
      return fs.realpathSync(file);
    } catch {
      return file;
    }
  }

  export interface IDiagnosis {
    problems: IEnvProblem[];
    /** The base's facts, when the wanted base is usable. */
    base: IBaseFacts | null;
    dangling: string[];
  }

  export function diagnose(
    envDir: string,
    record: EnvRecord,
    wantBase: string,
    context: ICliContext
  ): IDiagnosis {
    const problems: IEnvProblem[] = [];
    const quoted = shQuote(envDir, 'always');
    const add = (
      code: string,
      message: string,
      fixable: boolean,
      hint: string
    ) => problems.push({ code, message, fixable, hint });

    if (record.prefix !== envDir) {
      add(
        'env-moved',
        `the env was created at ${record.prefix} and is now at ${envDir}; installed scripts and the kernel name the old path`,
        false,
        `move it back to ${record.prefix}, or create a new env here`
      );
    }
    let base: IBaseFacts | null = null;
    try {
      base = inspectBase(wantBase);
    } catch (error) {
      if (!(error instanceof UserError)) {
        throw error;
      }
      add(
        'base-missing',
        `the base is unusable: ${error.message}`,
        false,
        `if the image moved, run: mlc env check ${quoted} --fix --base NEW_BASE`
      );
    }
    if (base && base.python !== record.python) {
      add(
        'python-changed',
        `the base now has Python ${base.python}, the env was made for ${record.python}`,
        false,
        `create a new env on it: mlc env create NEW_PATH --base ${shQuote(wantBase, 'always')}`
      );
      base = null;
    }
    // Without a usable base only a new one (--base) can repair the links.
    const fix = `run: mlc env check ${quoted} --fix${
      base === null
        ? ' --base NEW_BASE'
        : wantBase !== record.basePrefix
          ? ` --base ${shQuote(wantBase, 'always')}`
          : ''
    }`;
    const link = readlinkOrNull(`${envDir}/${BASE_LINK}`);
    if (wantBase !== record.basePrefix) {
      add(
        'base-moved',
        `the env is recorded on the base ${record.basePrefix}, not ${wantBase}`,
        base !== null,
        fix
      );
    } else if (link !== record.basePrefix) {
      add(
        'base-link',
        `${BASE_LINK} points to ${link ?? 'nothing'} instead of ${record.basePrefix}`,
        base !== null,
        fix
      );
    }
    if (readPyvenvHome(envDir) !== `${wantBase}/bin`) {
      add(
        'pyvenv-home',
        `pyvenv.cfg does not name ${wantBase}/bin as home`,
        base !== null,
        fix
      );
    }
    if (!resolves(`${envDir}/bin/python${record.python}`)) {
      add(
        'no-interpreter',
        `bin/python${record.python} is missing or leads nowhere`,
        base !== null,
        fix
      );
    }
    const dangling = danglingLinks(envDir, record.python as PythonMinor).map(
      link => link.path
    );
    if (dangling.length) {
      add(
        'dangling-links',
        `${dangling.length} link(s) lead to files the base does not have (e.g. ${dangling[0]})`,
        base !== null,
        `${fix} (re-links from the base)`
      );
    }
    if (base) {
      const records = staleRecords(base, envDir);
      if (records.stale.length || records.missing.length) {
        add(
          'base-records',
          `the base's packages changed: ${records.stale.length} record(s) copied from it are gone from it, ${records.missing.length} of its records are not in the env`,
          true,
          fix
        );
      }
    }
    if (record.kernelName) {
      const dataDir = kernelDataDir(context);
      const kernel = readKernel(dataDir, record.kernelName);
      if (!kernel) {
        add(
          'kernel-missing',
          `the kernel ${record.kernelName} is not registered in ${dataDir}/kernels`,
          true,
          `run: mlc env check ${quoted} --fix`
        );
      } else if (
        kernel.argv[0] !== `${envDir}/bin/python${record.python}` ||
        kernel.facts?.envPrefix !== envDir
      ) {
        add(
          'kernel-stale',
          `the kernel ${record.kernelName} does not run this env's interpreter`,
          true,
          `run: mlc env check ${quoted} --fix`
        );
      }
    }
    const leftovers = leftoverProblem(envDir, findLeftovers(envDir));
    if (leftovers) {
      problems.push(leftovers);
    }
    return { problems, base, dangling };
  }

  export function repair(
    envDir: string,
    record: EnvRecord,
    wantBase: string,
    diagnosis: IDiagnosis,
    context: ICliContext,
    templates: IScriptTemplates
  ): void {
    const base = diagnosis.base;
    const codes = new Set(diagnosis.problems.map(problem => problem.code));
    // Leftovers of an interrupted verb (ours only: leftovers.ts) go first.
    removeLeftovers(envDir);
    let updated = record;
    // Nothing is written through a link put in the place of a directory the
    // repair writes into (docs/architecture.md, "Writes"): refuse instead.
    for (const dir of [
      'conda-meta',
      'bin',
      `lib/python${record.python}/site-packages`,
      'etc',
      'lib'
    ]) {
      assertRealPath(envDir, dir);
    }
    if (base) {
      const moved = codes.has('base-moved') || codes.has('base-link');
      if (moved) {
        replaceSymlink(base.prefix, `${envDir}/${BASE_LINK}`);
      }
      if (codes.has('pyvenv-home')) {
        replaceFile(
          `${envDir}/pyvenv.cfg`,
          pyvenvCfgText(base.prefix, base.pythonVersion)
        );
      }
      if (
        moved ||
        codes.has('dangling-links') ||
        codes.has('no-interpreter') ||
        codes.has('base-records')
      ) {
        relink(envDir, base);
      }
      if (base.prefix !== record.basePrefix) {
        updated = { ...record, basePrefix: base.prefix };
        const script = activationScript(templates, {
          envPrefix: envDir,
          basePrefix: base.prefix,
          envName: updated.name,
          mode: updated.mode,
          ...(updated.containerImage
            ? {
                containerImage: updated.containerImage,
                bindPaths: updated.bindPaths ?? []
              }
            : {})
        });
        replaceFile(`${envDir}/${script.file}`, script.text, 0o755);
        writeEnvRecord(envDir, updated);
      }
    }
    if (
      updated.kernelName &&
      (codes.has('kernel-missing') ||
        codes.has('kernel-stale') ||
        updated !== record)
    ) {
      const python = updated.python as PythonMinor;
      const dataDir = kernelDataDir(context);
      assertKernelSlotFree(dataDir, updated.kernelName, envDir);
      const spec = envKernelFile({
        envPrefix: envDir,
        envName: updated.name,
        displayName:
          updated.displayName ??
          defaultDisplayName(updated.name, base?.image ?? null, python),
        basePrefix: updated.basePrefix,
        python,
        image: base?.image ?? null,
        ...(updated.creationId ? { creationId: updated.creationId } : {})
      });
      registerKernel(
        dataDir,
        updated.kernelName,
        spec,
        `${updated.basePrefix}/share/jupyter/kernels/python3`
      );
    }
  }

  /**
   * Drop links that lead nowhere, then mirror again, keeping what the env
   * has: files the base gained are linked, the env's own files stay.
   */
  function relink(envDir: string, base: IBaseFacts): void {
    for (const link of danglingLinks(envDir, base.python)) {
      removeFile(`${envDir}/${link.path}`);
    }
    const stats = { directories: 0, links: 0, records: 0 };
    mirrorBase(base, envDir, stats, true);
    copyCondaMeta(base, envDir, stats, true);
    const bin = `${envDir}/bin`;
    ensureRealDirectory(bin);
    const links: Array<[string, string]> = [
      [`python${base.python}`, `../${BASE_LINK}/bin/python${base.python}`],
      ['python3', `python${base.python}`],
      ['python', `python${base.python}`]
    ];
    for (const [name, target] of links) {
      if (!fs.lstatSync(`${bin}/${name}`, { throwIfNoEntry: false })) {
        makeSymlink(target, `${bin}/${name}`);
      }
    }
    if (base.hasPip && !fs.lstatSync(`${bin}/pip`, { throwIfNoEntry: false })) {
      writePipScripts(envDir, base.python);
    }
  }

  function readlinkOrNull(file: string): string | null {
    try {
      return fs.readlinkSync(file);
    } catch {
      return null;
    }
  }
}
