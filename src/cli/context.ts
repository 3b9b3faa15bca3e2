/**
 * What every command needs from the process, gathered once, so commands stay
 * testable and never read `process.env` behind the caller's back.
 */
import * as path from 'path';
import type { Reporter } from './output';

export interface ICliContext {
  reporter: Reporter;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /**
   * The prefix `mlc` is installed in (`<prefix>/bin/mlc`), from the launcher
   * script's MLC_INSTALL_PREFIX; null when run from a source tree.
   */
  installPrefix: string | null;
}

export function makeContext(
  reporter: Reporter,
  env: NodeJS.ProcessEnv = process.env
): ICliContext {
  const installPrefix = env.MLC_INSTALL_PREFIX
    ? path.resolve(env.MLC_INSTALL_PREFIX)
    : null;
  return { reporter, env, cwd: process.cwd(), installPrefix };
}
