/**
 * The one `mlc env list` of a session: when the launcher section has
 * painted its env tiles (it runs CommandIDs.sessionEnvCheck then) and the
 * server has terminals, ask mlc what it knows of each env (its image
 * updated, its folder deleted by hand) and hand that to IMLImage, which
 * hides dangling kernels and lets the tiles show an update badge. Never on
 * the launcher's critical path, at most once per session: later changes
 * come from the env commands' own runs.
 */
import type { IMLImage } from '../tokens';
import { listArgs } from './mlcArgs';
import { envSummaries } from './results';
import type { TerminalMlcRunner } from './terminalTransport';
import { markTime } from './timing';

export interface ISessionCheckOptions {
  image: IMLImage;
  runner: TerminalMlcRunner;
  /** Extra folders to list envs in (the default env location). */
  dirs: () => string[];
  /** How long the list may take; it reads kernels and records only. */
  timeoutMs?: number;
}

export class SessionEnvCheck {
  constructor(options: ISessionCheckOptions) {
    this._options = options;
  }

  /** Whether the list ran (or is running) in this session. */
  get started(): boolean {
    return this._done !== null;
  }

  /**
   * Run the list unless it ran already; resolves false when there was
   * nothing to check (no env kernel, no terminals) or the run failed (the
   * launcher then simply shows what the kernel specs say).
   */
  run(): Promise<boolean> {
    const { image, runner } = this._options;
    if (this._done === null) {
      if (!runner.isAvailable || image.catalog.envKernels.length === 0) {
        return Promise.resolve(false); // a later catalog with envs may still ask
      }
      this._done = this._run();
    }
    return this._done;
  }

  private async _run(): Promise<boolean> {
    const { image, runner } = this._options;
    markTime('session-check-start');
    try {
      const outcome = await runner.run(listArgs(this._options.dirs()), {
        timeoutMs: this._options.timeoutMs ?? 60000
      });
      if (outcome.exitCode !== 0) {
        return false;
      }
      image.reportEnvs(envSummaries(outcome), true);
      markTime('session-check-done');
      return true;
    } catch (reason) {
      console.warn('ml-containers: could not list the extended envs', reason);
      return false;
    }
  }

  private readonly _options: ISessionCheckOptions;
  private _done: Promise<boolean> | null = null;
}
