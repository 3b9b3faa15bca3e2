/**
 * What the env-life commands do (a tile's menu, or the palette): Add
 * Packages…, History…, Export… and Rebase…, each through `mlc env ...` in
 * the terminal runner, reporting in the dialog or a notification.
 */
import { Notification } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ChangePhase } from '../../core/envLife';
import type { IMLImage } from '../tokens';
import { showAddPackagesDialog, type InstallAnswer } from './addPackagesDialog';
import type { EnvCommands } from './handlers';
import type { EnvTarget } from './envTarget';
import { askWhichEnv } from './envPicker';
import { showDaskConfigDialog } from './daskConfigDialog';
import { showHistoryDialog } from './historyDialog';
import { showRemovePackagesDialog } from './removePackagesDialog';
import {
  daskConfigArgs,
  exportArgs,
  historyArgs,
  installArgs,
  rebaseArgs,
  rollbackArgs,
  uninstallArgs,
  type IInstallRequest,
  type IUninstallRequest
} from './mlcArgs';
import { condaChoiceFor, type Installer } from './installerChoice';
import { confirmRebase } from './rebaseDialog';
import {
  daskConfigResult,
  exportResult,
  historyResult,
  installResult,
  rebaseResult,
  rollbackResult,
  uninstallResult,
  type HistoryResult,
  type RollbackResult
} from './results';
import { describeRunError } from './runErrors';
import {
  outcomeProblem,
  type IMlcOutcome,
  type IRunOptions,
  type TerminalMlcRunner
} from './terminalTransport';

export interface IEnvLifeOptions {
  runner: TerminalMlcRunner;
  envs: EnvCommands;
  image: IMLImage | null;
  /** The Jupyter root folder (absolute), or '' when unknown. */
  serverRoot: string;
  /** The folder the file browser shows (relative to the root), when there is one. */
  currentFolder: () => string | null;
  trans: TranslationBundle;
}

export class EnvLifeCommands {
  constructor(options: IEnvLifeOptions) {
    this._options = options;
  }

  /** "Add Packages…" */
  async addPackages(target?: EnvTarget | null): Promise<void> {
    const { runner, trans } = this._options;
    const title = trans.__('Add Packages');
    const env = await this._target(target, title, prefix =>
      installArgs({
        prefix,
        specs: ['SPEC'],
        installer: 'pip',
        channel: '',
        dryRun: false,
        allowImageOverride: false
      })
    );
    if (!env) {
      return;
    }
    let changed = false;
    await showAddPackagesDialog(
      env,
      condaChoiceFor(this._options.image, env.prefix),
      {
        preview: request => this._install(request),
        install: async (request, onProgress) => {
          const answer = await this._install(request, onProgress);
          changed ||= !!answer.result && !answer.error;
          return answer;
        }
      },
      trans
    );
    runner.release();
    if (changed) {
      await this._options.envs.refreshSpecs();
    }
  }

  /** "Remove Packages…": the env's own pip packages, from its latest revision. */
  async removePackages(target?: EnvTarget | null): Promise<void> {
    const { runner, trans } = this._options;
    const title = trans.__('Remove Packages');
    const env = await this._target(target, title, prefix =>
      uninstallArgs({
        prefix,
        names: ['NAME'],
        installer: 'pip',
        dryRun: false
      })
    );
    if (!env) {
      return;
    }
    let changed = false;
    const request = (
      names: string[],
      installer: Installer,
      dryRun: boolean
    ): IUninstallRequest => ({
      prefix: env.prefix,
      names,
      installer,
      dryRun
    });
    await showRemovePackagesDialog(
      env,
      condaChoiceFor(this._options.image, env.prefix),
      {
        packages: async () => {
          const answer = await this._history(env.prefix);
          if ('error' in answer) {
            return answer;
          }
          const { revisions, current } = answer.result;
          const latest = revisions.find(
            revision => revision.number === current
          );
          return latest
            ? {
                packages: [
                  ...latest.pip.map(pin => ({
                    ...pin,
                    installer: 'pip' as const
                  })),
                  ...latest.conda.map(pin => ({
                    ...pin,
                    installer: 'conda' as const
                  }))
                ]
              }
            : {
                error: trans.__(
                  'This env has no recorded revision to list its packages from; run "mlc env uninstall %1 NAME" in a terminal',
                  env.prefix
                )
              };
        },
        preview: (names, installer) =>
          this._uninstall(request(names, installer, true)),
        uninstall: async (names, installer, onProgress) => {
          const answer = await this._uninstall(
            request(names, installer, false),
            onProgress
          );
          changed ||= !!answer.result && !answer.error;
          return answer;
        }
      },
      trans
    );
    runner.release();
    if (changed) {
      await this._options.envs.refreshSpecs();
    }
  }

  /** "History…" */
  async history(target?: EnvTarget | null): Promise<void> {
    const { trans } = this._options;
    const title = trans.__('Environment History');
    const env = await this._target(target, title, historyArgs);
    if (!env) {
      return;
    }
    const id = Notification.emit(
      trans.__('Reading the history of %1…', env.prefix),
      'in-progress',
      { autoClose: false }
    );
    const first = await this._history(env.prefix);
    if ('error' in first) {
      this._fail(id, trans.__('Could not read the history'), first.error);
      return;
    }
    Notification.dismiss(id);
    await showHistoryDialog(
      env,
      first.result,
      {
        history: () => this._history(env.prefix),
        rollback: revision => this._rollback(env.prefix, revision)
      },
      trans
    );
  }

  /** "Export…": the lock file into the file browser's folder. */
  async exportEnv(target?: EnvTarget | null): Promise<void> {
    const { trans } = this._options;
    const folder = this._exportFolder();
    const title = trans.__('Export Environment');
    const env = await this._target(target, title, prefix =>
      exportArgs(prefix, `${folder ?? '.'}/ENV.mlc-lock.json`)
    );
    if (!env) {
      return;
    }
    if (folder === null) {
      Notification.error(
        trans.__(
          'The Jupyter root folder is unknown, so there is no folder to export %1 into; run "mlc env export PATH -o FILE" in a terminal',
          env.prefix
        ),
        { autoClose: false }
      );
      return;
    }
    const file = `${folder}/${Private.lockName(env)}`;
    const id = Notification.emit(
      trans.__('Exporting %1…', env.prefix),
      'in-progress',
      { autoClose: false }
    );
    const run = await this._runQuiet(exportArgs(env.prefix, file));
    const result = 'outcome' in run ? exportResult(run.outcome) : null;
    if (!result || 'error' in run) {
      this._fail(
        id,
        trans.__('Could not export %1', env.prefix),
        'error' in run ? run.error : trans.__('mlc reported no file')
      );
      return;
    }
    Notification.update({
      id,
      type: 'success',
      message: trans.__('Wrote %1', result.file ?? file),
      autoClose: 8000
    });
  }

  /** "Rebase…" */
  async rebase(target?: EnvTarget | null): Promise<void> {
    const { image, trans } = this._options;
    const title = trans.__('Rebase Environment');
    const env = await this._target(target, title, rebaseArgs);
    if (!env) {
      return;
    }
    const change = image?.envReports.get(env.prefix)?.imageChange ?? null;
    if (!(await confirmRebase(env, change, trans))) {
      this._options.runner.release();
      return;
    }
    const id = Notification.emit(
      trans.__('Rebasing %1…', env.prefix),
      'in-progress',
      { autoClose: false }
    );
    const run = await this._runQuiet(rebaseArgs(env.prefix), {
      onProgress: message =>
        Notification.update({
          id,
          message: trans.__('Rebasing %1: %2', env.prefix, message)
        })
    });
    const result = 'outcome' in run ? rebaseResult(run.outcome) : null;
    if (!result || 'error' in run) {
      this._fail(
        id,
        trans.__('Could not rebase %1; it is unchanged', env.prefix),
        'error' in run ? run.error : trans.__('mlc reported no result')
      );
      return;
    }
    // The badge goes: the env sits on the current image now.
    const report = image?.envReports.get(env.prefix);
    if (report) {
      image?.reportEnvs(
        [
          {
            ...report,
            problems: report.problems.filter(
              problem => problem.code !== 'base-updated'
            ),
            imageChange: undefined
          }
        ],
        false
      );
    }
    await this._options.envs.refreshSpecs();
    Notification.update({
      id,
      type: 'success',
      message: trans.__(
        'Rebased %1 on %2; History… rolls back to revision %3.',
        env.prefix,
        result.to.reference || trans.__('the current image'),
        result.previous
      ),
      autoClose: false
    });
  }

  /** "Scale Out with Dask…": `mlc env dask-config` from a small form. */
  async daskConfig(target?: EnvTarget | null): Promise<void> {
    const { runner, trans } = this._options;
    const title = trans.__('Scale Out with Dask');
    const request = (prefix: string) => ({
      prefix,
      cores: '',
      memory: '',
      walltime: '',
      queue: '',
      account: '',
      panel: false
    });
    const env = await this._target(target, title, prefix =>
      daskConfigArgs(request(prefix))
    );
    if (!env) {
      return;
    }
    await showDaskConfigDialog(
      env,
      {
        write: async values => {
          const run = await this._runQuiet(daskConfigArgs(values));
          if ('error' in run) {
            return run;
          }
          const result = daskConfigResult(run.outcome);
          return result
            ? { result }
            : {
                error:
                  outcomeProblem(run.outcome) ??
                  trans.__('mlc reported no result')
              };
        }
      },
      trans
    );
    runner.release();
  }

  /** The env from a tile, else one the user picks (or the command to paste without terminals). */
  private async _target(
    target: EnvTarget | null | undefined,
    title: string,
    pasteArgs: (prefix: string) => string[]
  ): Promise<EnvTarget | null> {
    const { envs, runner, trans } = this._options;
    if (!runner.isAvailable) {
      await envs.showPaste(title, pasteArgs(target?.prefix ?? 'PATH'));
      return null;
    }
    if (target) {
      runner.prepare();
      return target;
    }
    const listed = await envs.listEnvs();
    if (!listed) {
      return null;
    }
    runner.prepare();
    const picked = await askWhichEnv(listed, title, trans);
    if (!picked) {
      runner.release();
    }
    return picked;
  }

  /** `env install` (a dry run or not): its result, which a refused dry run has too. */
  private async _install(
    request: IInstallRequest,
    onProgress?: (message: string, phase?: ChangePhase) => void
  ): Promise<InstallAnswer> {
    const { trans } = this._options;
    const run = await this._runQuiet(installArgs(request), { onProgress });
    if ('error' in run) {
      return { error: run.error };
    }
    const result = installResult(run.outcome);
    const problem = outcomeProblem(run.outcome);
    if (!result) {
      return { error: problem ?? trans.__('mlc reported no result') };
    }
    // A refused preview still has its result (the preview shows why).
    return problem && !(request.dryRun && result.refused)
      ? { error: problem, result }
      : { result };
  }

  /** `env uninstall` (a dry run or not), judged as `_install` judges. */
  private async _uninstall(
    request: IUninstallRequest,
    onProgress?: (message: string, phase?: ChangePhase) => void
  ): Promise<InstallAnswer> {
    const run = await this._runQuiet(uninstallArgs(request), { onProgress });
    if ('error' in run) {
      return { error: run.error };
    }
    const result = uninstallResult(run.outcome);
    const problem = outcomeProblem(run.outcome);
    if (!result) {
      return {
        error: problem ?? this._options.trans.__('mlc reported no result')
      };
    }
    return problem && !(request.dryRun && result.refused)
      ? { error: problem, result }
      : { result };
  }

  private async _history(
    prefix: string
  ): Promise<{ result: HistoryResult } | { error: string }> {
    const run = await this._runQuiet(historyArgs(prefix));
    if ('error' in run) {
      return run;
    }
    const result = historyResult(run.outcome);
    return result
      ? { result }
      : {
          error:
            outcomeProblem(run.outcome) ??
            this._options.trans.__('mlc reported no history')
        };
  }

  private async _rollback(
    prefix: string,
    revision: number
  ): Promise<{ result: RollbackResult } | { error: string }> {
    const run = await this._runQuiet(rollbackArgs(prefix, revision));
    const result = 'outcome' in run ? rollbackResult(run.outcome) : null;
    if ('error' in run || !result) {
      return {
        error:
          'error' in run
            ? run.error
            : this._options.trans.__('mlc reported no result')
      };
    }
    await this._options.envs.refreshSpecs();
    return { result };
  }

  /** Run mlc; its outcome when it reported no error, else one line. */
  private async _runQuiet(
    args: string[],
    options: IRunOptions = {}
  ): Promise<{ outcome: IMlcOutcome } | { error: string }> {
    try {
      const outcome = await this._options.runner.run(args, {
        timeoutMs: Private.CHANGE_TIMEOUT_MS,
        ...options
      });
      const problem = outcomeProblem(outcome);
      // A refused dry run reports its result and exits 1: the caller judges.
      return problem && outcome.results.length === 0
        ? { error: problem }
        : { outcome };
    } catch (error) {
      return { error: describeRunError(error, this._options.trans) };
    }
  }

  /** The file browser's folder as an absolute path, or null when the root is unknown. */
  private _exportFolder(): string | null {
    const { serverRoot } = this._options;
    if (!serverRoot) {
      return null;
    }
    const folder = this._options.currentFolder() ?? '';
    // A drive-prefixed path (another contents drive) is not on this disk.
    if (folder.includes(':')) {
      return serverRoot;
    }
    const root = serverRoot.replace(/\/+$/, '');
    return folder ? `${root}/${folder.replace(/^\/+|\/+$/g, '')}` : root;
  }

  private _fail(id: string, what: string, why: string): void {
    Notification.update({
      id,
      type: 'error',
      message: this._options.trans.__('%1: %2', what, why),
      autoClose: false
    });
  }

  private readonly _options: IEnvLifeOptions;
}

namespace Private {
  /** Installs and rebases download and build: minutes on a slow index. */
  export const CHANGE_TIMEOUT_MS = 30 * 60 * 1000;

  /** `<env name>.mlc-lock.json`, the name made safe for a file name. */
  export function lockName(env: EnvTarget): string {
    const base = (env.name || PathExt.basename(env.prefix))
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[.-]+/, '');
    return `${base || 'env'}.mlc-lock.json`;
  }
}
