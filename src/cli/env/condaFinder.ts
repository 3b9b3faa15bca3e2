/**
 * Which conda installer an image's base holds (docs/architecture.md, "Env
 * life"): micromamba, else mamba, else conda, in `<base>/bin/`, a regular
 * executable file inside the base (a link is followed only while it stays
 * in the base). Kept apart from condaRun.ts so `env list` loads only this.
 */
import * as fs from 'fs';
import { UserError } from '../errors';
import { entryStat } from '../fs/probes';

/** Looked for in this order in `<base>/bin/`. */
export const CONDA_INSTALLERS = ['micromamba', 'mamba', 'conda'] as const;

export interface ICondaInstaller {
  /** The absolute path run. */
  program: string;
  name: (typeof CONDA_INSTALLERS)[number];
}

/**
 * The name of the installer `findCondaInstaller` would run, or null when it
 * would refuse; never throws. Cheap enough for `env list`: an lstat of
 * `<base>/bin` and of the candidates up to the first present; the full
 * check (realpath) only when that one, or bin itself, is a link.
 */
export function condaInstallerName(
  basePrefix: string
): ICondaInstaller['name'] | null {
  const bin = entryStat(`${basePrefix}/bin`);
  if (!bin?.isDirectory()) {
    return bin?.isSymbolicLink() ? Private.fullCheck(basePrefix) : null;
  }
  for (const name of CONDA_INSTALLERS) {
    const stat = entryStat(`${basePrefix}/bin/${name}`);
    if (!stat) {
      continue;
    }
    // A regular file in the base's real bin directory is inside the base.
    if (stat.isFile()) {
      return (stat.mode & 0o111) !== 0 ? name : null;
    }
    return Private.fullCheck(basePrefix);
  }
  return null;
}

/** The base's conda installer, or one clear UserError. */
export function findCondaInstaller(basePrefix: string): ICondaInstaller {
  let baseReal: string;
  try {
    baseReal = fs.realpathSync(basePrefix);
  } catch {
    throw new UserError(
      `the image ${basePrefix} cannot be reached`,
      'check the env: mlc env check ENV',
      1
    );
  }
  for (const name of CONDA_INSTALLERS) {
    const program = `${basePrefix}/bin/${name}`;
    if (!entryStat(program)) {
      continue;
    }
    let real: string;
    try {
      real = fs.realpathSync(program);
    } catch {
      real = '';
    }
    const stat = real ? entryStat(real) : null;
    if (
      !real.startsWith(`${baseReal}/`) ||
      !stat?.isFile() ||
      (stat.mode & 0o111) === 0
    ) {
      throw new UserError(
        `the image's ${name} (${program}) is not an executable file inside the image`,
        'mlc runs only the conda installer the image holds; install pip packages instead (leave out --conda)',
        1
      );
    }
    return { program, name };
  }
  throw new UserError(
    `the image has no conda installer (micromamba, mamba or conda in ${basePrefix}/bin)`,
    'install pip packages instead (leave out --conda)',
    1
  );
}

namespace Private {
  export function fullCheck(
    basePrefix: string
  ): ICondaInstaller['name'] | null {
    try {
      return findCondaInstaller(basePrefix).name;
    } catch {
      return null;
    }
  }
}
