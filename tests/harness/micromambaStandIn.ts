/**
 * The image's conda installer in the env-life tests: a stand-in with
 * micromamba's command line and --json answer (micromamba_standin.py, on
 * py-rattler, a real conda solver and installer), put into a copy of the
 * test image as `<base>/bin/micromamba`, and a local channel of small
 * noarch packages (conda_local_channel.py). micromamba itself is not
 * installable here (not on PyPI, npm or Debian).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { shQuote } from '../../src/core/quote';
import { RATTLER_PYTHON } from './condaInstaller';

const STAND_IN = path.join(__dirname, 'micromamba_standin.py');
const CHANNEL_BUILDER = path.join(__dirname, 'conda_local_channel.py');

/** Write `<base>/bin/micromamba`: a wrapper running the stand-in with py-rattler's Python. */
export function installMicromambaStandIn(base: string): string {
  const program = `${base}/bin/micromamba`;
  fs.writeFileSync(
    program,
    `#!/bin/sh\n# A stand-in with micromamba's command line (tests/harness/micromamba_standin.py).\nexec ${shQuote(RATTLER_PYTHON, 'always')} ${shQuote(STAND_IN, 'always')} "$@"\n`,
    { mode: 0o755 }
  );
  return program;
}

/** A package of the local channel. */
export interface ICondaTestPackage {
  name: string;
  version: string;
  build?: string;
  depends?: string[];
}

/** Build a file:// channel of `packages` at `dir` (readable by all); its URL. */
export function buildCondaChannel(
  dir: string,
  packages: ICondaTestPackage[]
): string {
  execFileSync(
    RATTLER_PYTHON,
    [CHANNEL_BUILDER, dir, JSON.stringify(packages)],
    {
      stdio: 'pipe'
    }
  );
  execFileSync('chmod', ['-R', 'a+rX', '--', dir]);
  return `file://${dir}`;
}
