/**
 * The one `mlc env list` of a session: after the launcher's first paint,
 * when the server has env kernels and terminals, ask mlc what it knows of
 * each env (its image updated, its folder deleted by hand) and hand that to
 * IMLImage, which hides dangling kernels and lets the tiles show an update
 * badge. Never on the launcher's critical path, at most once per session:
 * later changes come from the env commands' own runs.
 */
import type { IMLImage } from '../tokens';
import { listArgs } from './mlcArgs';
import { envSummaries } from './results';
import type { TerminalMlcRunner } from './terminalTransport';

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
    try {
      const outcome = await runner.run(listArgs(this._options.dirs()), {
        timeoutMs: this._options.timeoutMs ?? 60000
      });
      if (outcome.exitCode !== 0) {
        return false;
      }
      image.reportEnvs(envSummaries(outcome), true);
      return true;
    } catch (reason) {
      console.warn('ml-containers: could not list the extended envs', reason);
      return false;
    }
  }

  private readonly _options: ISessionCheckOptions;
  private _done: Promise<boolean> | null = null;
}

/**
 * Call `work` once the browser has painted and is idle: two animation
 * frames (the paint that shows the launcher) then an idle period, or a
 * timeout where requestIdleCallback is missing.
 */
export function afterFirstPaint(work: () => void): void {
  const idle = (): void => {
    if (typeof requestIdleCallback === 'function') {
      requestIdleCallback(() => work(), { timeout: 2000 });
    } else {
      setTimeout(work, 0);
    }
  };
  if (typeof requestAnimationFrame !== 'function') {
    setTimeout(idle, 0);
    return;
  }
  requestAnimationFrame(() => requestAnimationFrame(idle));
}
