/**
 * What the three palette commands do: ask, run `mlc env ...` through the
 * terminal runner (or show the command to paste), report in notifications,
 * and refresh the kernel specs so the launcher's env tiles follow.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { StockCommandIDs } from '../commandIds';
import type { IEnvSummary } from '../../core/envRecord';
import { showCheckDialog, type FixOutcome } from './checkDialog';
import { askCreateForm } from './createDialog';
import { showCommandToPaste } from './dialogParts';
import { envLocationDir, envPrefix } from './envPath';
import {
  checkAllArgs,
  createArgs,
  fixArgs,
  listArgs,
  removeArgs
} from './mlcArgs';
import {
  commandToPaste,
  hasControlCharacter,
  parseMlcCommand,
  shQuote
} from '../../core/quote';
import type { EnvTarget } from './envTarget';
import { askEnvToRemove, confirmRemove } from './removeDialog';
import { describeRunError } from './runErrors';
import { checkedEnvs, createResult, envSummaries } from './results';
import {
  outcomeProblem,
  type IMlcOutcome,
  type IRunOptions,
  type TerminalMlcRunner
} from './terminalTransport';
import type { ExtensionSettings } from '../settings/settings';
import type { IMLImage } from '../tokens';
import { markTime } from './timing';

export interface IEnvCommandsOptions {
  app: JupyterFrontEnd;
  runner: TerminalMlcRunner;
  settings: ExtensionSettings;
  /** The mlc command the runner types, shown in the command to paste as well. */
  mlcCommand: () => string;
  /** The Jupyter root folder (absolute), or '' when unknown. */
  serverRoot: string;
  trans: TranslationBundle;
  /** Told what each run reports about envs (the launcher's tiles follow). */
  image: IMLImage | null;
}

export class EnvCommands {
  constructor(options: IEnvCommandsOptions) {
    this._options = options;
  }

  /** "Create Extended Environment…" */
  async create(): Promise<void> {
    const { runner, settings, serverRoot, trans } = this._options;
    await settings.ready;
    // The terminal session starts while the user fills the form.
    runner.prepare();
    const form = await askCreateForm(
      {
        name: '',
        location: settings.envLocation,
        registerKernel: true,
        displayName: ''
      },
      serverRoot,
      trans
    );
    if (!form) {
      runner.release();
      return;
    }
    markTime('create-confirmed');
    const prefix = envPrefix(form.location, form.name, serverRoot);
    const args = createArgs({
      prefix,
      registerKernel: form.registerKernel,
      displayName: form.displayName
    });
    if (!runner.isAvailable) {
      await this._showPaste(trans.__('Create Extended Environment'), args);
      return;
    }
    const id = Notification.emit(
      trans.__('Creating the environment %1…', prefix),
      'in-progress',
      { autoClose: false }
    );
    // The kernel is registered once the result is out: the launcher's tile need not wait for the rest.
    let refreshed: Promise<void> | null = null;
    const outcome = await this._run(
      id,
      args,
      trans.__('Could not create %1', prefix),
      {
        timeoutMs: Private.CREATE_TIMEOUT_MS,
        onProgress: message =>
          Notification.update({
            id,
            message: trans.__('Creating %1: %2', prefix, message)
          }),
        onResult: command => {
          if (command === 'env create') {
            refreshed ??= this._refreshSpecs();
          }
        },
        closeAfter: () => refreshed
      }
    );
    if (!outcome) {
      return;
    }
    const created = createResult(outcome);
    if (created) {
      // A new env at a path whose earlier env was reported gone: its tile shows.
      this._options.image?.reportEnvs([created], false);
    }
    await (refreshed ?? this._refreshSpecs());
    markTime('specs-refreshed');
    const actions: Notification.IAction[] = [];
    if (created?.kernelName) {
      const kernelName = created.kernelName;
      actions.push({
        label: trans.__('Open a notebook'),
        caption: trans.__('A new notebook on the kernel %1', kernelName),
        displayType: 'accent',
        callback: () =>
          void this._options.app.commands.execute(
            StockCommandIDs.notebookCreateNew,
            { kernelName }
          )
      });
    }
    actions.push({
      label: trans.__('Open a terminal'),
      caption: trans.__('A terminal in the environment, activated'),
      callback: () =>
        void this._openTerminal(
          created?.prefix ?? prefix,
          created?.activateScript ?? ''
        )
    });
    Notification.update({
      id,
      type: 'success',
      message: created
        ? // mlc's own work takes milliseconds: in seconds it read "0.0 s".
          trans.__(
            'Created %1 in %2 ms.',
            created.prefix,
            String(Math.round(created.elapsedMs))
          )
        : trans.__('Created %1.', prefix),
      autoClose: false,
      actions
    });
  }

  /** "Check Extended Environments" */
  async check(): Promise<void> {
    const { runner, settings, trans } = this._options;
    await settings.ready;
    if (!runner.isAvailable) {
      await this._showPaste(
        trans.__('Check Extended Environments'),
        listArgs([this._envDir()]),
        trans.__(
          'Terminals are disabled on this server, so JupyterLab cannot run mlc for you. In a terminal of your own, list your environments and their problems with this command; "%1 env check PATH --fix" repairs one.',
          this._mlcWords().join(' ')
        )
      );
      return;
    }
    const id = Notification.emit(
      trans.__('Checking the extended environments…'),
      'in-progress',
      { autoClose: false }
    );
    const envs = await this._checkedEnvs(id);
    if (!envs) {
      return;
    }
    Notification.dismiss(id);
    // The first Fix click finds its session ready.
    runner.prepare();
    await showCheckDialog(envs, prefixes => this._fix(prefixes), trans);
    runner.release();
  }

  /** "Remove Extended Environment…": of `target` (a tile's menu), else of an env the user picks. */
  async remove(target?: EnvTarget | null): Promise<void> {
    const { runner, settings, trans } = this._options;
    await settings.ready;
    if (!runner.isAvailable && target) {
      await this._showPaste(
        trans.__('Remove Extended Environment'),
        removeArgs(target.prefix)
      );
      return;
    }
    if (target) {
      runner.prepare();
      const confirmed = await confirmRemove(target, trans);
      if (!confirmed) {
        runner.release();
        return;
      }
      await this._removeConfirmed(confirmed);
      return;
    }
    if (!runner.isAvailable) {
      await this._showPaste(
        trans.__('Remove Extended Environment'),
        listArgs([this._envDir()]),
        trans.__(
          'Terminals are disabled on this server, so JupyterLab cannot run mlc for you. In a terminal of your own, list your environments with this command, then run "%1 env remove PATH" with the path of the one to remove.',
          this._mlcWords().join(' ')
        )
      );
      return;
    }
    const envs = await this.listEnvs();
    if (!envs) {
      return;
    }
    runner.prepare();
    const prefix = await askEnvToRemove(envs, trans);
    if (!prefix) {
      runner.release();
      return;
    }
    await this._removeConfirmed(prefix);
  }

  /**
   * The envs `env list` reports, to pick one from; null after saying there
   * are none or the run failed. IMLImage is told what was found.
   */
  async listEnvs(): Promise<IEnvSummary[] | null> {
    const { trans } = this._options;
    const id = Notification.emit(
      trans.__('Listing the extended environments…'),
      'in-progress',
      { autoClose: false }
    );
    const listed = await this._run(
      id,
      listArgs([this._envDir()]),
      trans.__('Could not list the extended environments')
    );
    if (!listed) {
      return null;
    }
    const envs = envSummaries(listed);
    this._options.image?.reportEnvs(envs, true);
    if (envs.length === 0) {
      Notification.update({
        id,
        type: 'info',
        message: trans.__('No extended environments found.'),
        autoClose: 5000
      });
      return null;
    }
    Notification.dismiss(id);
    return envs;
  }

  private async _removeConfirmed(prefix: string): Promise<void> {
    const { trans } = this._options;
    const removing = Notification.emit(
      trans.__('Removing %1…', prefix),
      'in-progress',
      { autoClose: false }
    );
    const removed = await this._run(
      removing,
      removeArgs(prefix),
      trans.__('Could not remove %1', prefix),
      {
        timeoutMs: Private.CREATE_TIMEOUT_MS
      }
    );
    if (!removed) {
      return;
    }
    await this._refreshSpecs();
    Notification.update({
      id: removing,
      type: 'success',
      message: trans.__('Removed %1.', prefix),
      autoClose: 5000
    });
  }

  /**
   * Every env checked in one run (`env check --all`, one terminal session);
   * null after reporting a failure.
   */
  private async _checkedEnvs(id: string): Promise<IEnvSummary[] | null> {
    const { runner, trans } = this._options;
    let problem: string;
    try {
      // mlc exits 1 while problems remain: the results, not the exit code, tell.
      const outcome = await runner.run(checkAllArgs([this._envDir()]), {
        timeoutMs: Private.CREATE_TIMEOUT_MS,
        onProgress: message =>
          Notification.update({
            id,
            message: trans.__('Checking: %1', message)
          })
      });
      const envs = checkedEnvs(outcome);
      if (envs) {
        this._options.image?.reportEnvs(envs, true);
        return envs;
      }
      problem =
        outcomeProblem(outcome) ?? trans.__('mlc reported no environments');
    } catch (error) {
      problem = this._describe(error);
    }
    Notification.update({
      id,
      type: 'error',
      message: trans.__(
        'Could not check the extended environments: %1',
        problem
      ),
      autoClose: false
    });
    return null;
  }

  /**
   * The Fix buttons: one `env check PREFIX... --fix`, whose results are the
   * envs as they stand after.
   */
  private async _fix(prefixes: string[]): Promise<FixOutcome> {
    const { runner, trans } = this._options;
    const named = prefixes.join(', ');
    try {
      const outcome = await runner.run(fixArgs(prefixes), {
        timeoutMs: Private.CREATE_TIMEOUT_MS
      });
      // A repaired kernel may have been registered again: the launcher follows.
      await this._refreshSpecs();
      const summaries = (checkedEnvs(outcome) ?? []).filter(env =>
        prefixes.includes(env.prefix)
      );
      if (summaries.length > 0) {
        this._options.image?.reportEnvs(summaries, false);
        return { summaries };
      }
      const problem = outcomeProblem(outcome);
      return {
        error: problem
          ? trans.__('Could not fix %1: %2', named, problem)
          : trans.__('mlc reported nothing about %1.', named)
      };
    } catch (error) {
      return {
        error: trans.__('Could not fix %1: %2', named, this._describe(error))
      };
    }
  }

  /**
   * Run mlc; on failure turn the notification `id` into one error line and
   * resolve null.
   */
  private async _run(
    id: string,
    args: string[],
    failure: string,
    options: IRunOptions = {}
  ): Promise<IMlcOutcome | null> {
    const { runner, trans } = this._options;
    let problem: string | null;
    let outcome: IMlcOutcome | null = null;
    try {
      outcome = await runner.run(args, options);
      problem = outcomeProblem(outcome);
    } catch (error) {
      problem = this._describe(error);
    }
    if (problem === null) {
      return outcome;
    }
    Notification.update({
      id,
      type: 'error',
      message: trans.__('%1: %2', failure, problem),
      autoClose: false
    });
    return null;
  }

  /** One line for a failed run, saying what to do. */
  private _describe(error: unknown): string {
    return describeRunError(error, this._options.trans);
  }

  /** The default location of new envs, where `env list --dir` also looks (envs without kernels). */
  private _envDir(): string {
    return envLocationDir(
      this._options.settings.envLocation,
      this._options.serverRoot
    );
  }

  /** The words of the mlc command the runner would type (`mlc` when the setting is unusable). */
  private _mlcWords(): string[] {
    const parsed = parseMlcCommand(this._options.mlcCommand());
    return parsed.ok ? parsed.words : ['mlc'];
  }

  /** Show the mlc command with `args` to paste (the server has no terminals). */
  showPaste(
    title: string,
    args: string[],
    explanation?: string
  ): Promise<void> {
    return this._showPaste(title, args, explanation);
  }

  /** Fetch the kernel specs again (a kernel was registered or removed). */
  refreshSpecs(): Promise<void> {
    return this._refreshSpecs();
  }

  private async _showPaste(
    title: string,
    args: string[],
    explanation?: string
  ): Promise<void> {
    const { trans } = this._options;
    const command = commandToPaste(this._mlcWords(), args);
    await showCommandToPaste(
      title,
      explanation ??
        trans.__(
          'Terminals are disabled on this server, so JupyterLab cannot run mlc for you. Run this command in a terminal of your own (ssh, or a shell in the container):'
        ),
      command,
      trans
    );
  }

  private async _refreshSpecs(): Promise<void> {
    markTime('refresh-start');
    try {
      await this._options.app.serviceManager.kernelspecs.refreshSpecs();
    } catch (reason) {
      // The specs poll catches up within a minute; the env itself is fine.
      console.warn('ml-containers: could not refresh the kernel specs', reason);
    }
  }

  /**
   * A terminal with the env's activation script sourced: started in the env
   * folder when it lies below the Jupyter root (terminal:create-new takes a
   * path relative to it), then `. ./SCRIPT` is typed; elsewhere the script's
   * full path is typed, POSIX-quoted.
   */
  private async _openTerminal(
    prefix: string,
    activateScript: string
  ): Promise<void> {
    const { app, serverRoot } = this._options;
    const local = Private.localPath(prefix, serverRoot);
    const widget: unknown = await app.commands.execute(
      StockCommandIDs.terminalCreateNew,
      local === null ? {} : { cwd: local }
    );
    const session = Private.terminalSessionOf(widget);
    const line = Private.sourceLine(prefix, activateScript, local !== null);
    if (session && line) {
      session.send({ type: 'stdin', content: [`${line}\r`] });
    }
  }

  private readonly _options: IEnvCommandsOptions;
}

namespace Private {
  /** Creating mirrors the base's files as links: minutes on a large image over a slow file system. */
  export const CREATE_TIMEOUT_MS = 10 * 60 * 1000;

  /** `path` relative to the server root (a contents path), or null when outside it. */
  export function localPath(path: string, serverRoot: string): string | null {
    if (!serverRoot) {
      return null;
    }
    const root = serverRoot.replace(/\/+$/, '');
    return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : null;
  }

  /** The line that sources the activation script, or null when there is none to type safely. */
  export function sourceLine(
    prefix: string,
    script: string,
    inPrefix: boolean
  ): string | null {
    const slash = script.lastIndexOf('/');
    const name = script.slice(slash + 1);
    if (
      inPrefix &&
      script.slice(0, slash) === prefix.replace(/\/+$/, '') &&
      /^[A-Za-z0-9_.-]+$/.test(name)
    ) {
      // A fixed, plain file name in the current folder: no user text reaches the shell.
      return `. ./${name}`;
    }
    return script && !hasControlCharacter(script)
      ? `. ${shQuote(script)}`
      : null;
  }

  interface ITerminalSessionLike {
    send(message: { type: 'stdin'; content: string[] }): void;
  }

  /** `widget.content.session` of the MainAreaWidget that terminal:create-new returns. */
  export function terminalSessionOf(
    widget: unknown
  ): ITerminalSessionLike | null {
    const content = (
      widget as { content?: { session?: ITerminalSessionLike } } | undefined
    )?.content;
    return content?.session && typeof content.session.send === 'function'
      ? content.session
      : null;
  }
}
