/**
 * A real conda installer for the env tests: py-rattler (in
 * build/rattler-venv, made by scripts/setup.sh) running conda_channel.py,
 * which builds one package into a local channel and installs, upgrades or
 * removes it in a prefix.
 */
import * as path from 'path';
import { REPO } from './paths';

export const RATTLER_PYTHON = path.join(
  REPO,
  'build',
  'rattler-venv',
  'bin',
  'python'
);

const SCRIPT = path.join(__dirname, 'conda_channel.py');

export interface ICondaAction {
  prefix: string;
  /** Where the channel and the package cache go. */
  workDir: string;
  /** The prefix's Python `X.Y` (the package depends on it). */
  python: string;
  action: 'install' | 'upgrade' | 'remove';
  name: string;
  version: string;
  /** What the package's `bin/NAME` prints. */
  message: string;
}

/** The arguments for RATTLER_PYTHON; its last line of output is `{"solved": [...]}`. */
export function condaInstallerArgs(request: ICondaAction): string[] {
  return [
    SCRIPT,
    request.prefix,
    request.workDir,
    request.python,
    request.action,
    request.name,
    request.version,
    request.message
  ];
}
