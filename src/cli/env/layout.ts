/**
 * The env's own files besides the mirror: the interpreter links, pyvenv.cfg,
 * an empty site-packages, pip's scripts, the base link and the record.
 */
import {
  ENV_RECORD_FILE,
  parseEnvRecord,
  type EnvRecord
} from '../../core/envRecord';
import type { PythonMinor } from '../../core/kernelspec';
import { writeFileStaged, writeNewFile } from '../fs/stagedWrite';
import { readRegularFile } from '../fs/regularFile';
import { BASE_LINK } from './mirror';
import { makeDirectories, makeSymlink } from '../fs/entries';

export { replaceSymlink } from '../fs/stagedWrite';

/** A record larger than this is no record of ours (and is not read whole). */
const MAX_RECORD_BYTES = 1 << 20;

/** The text of pyvenv.cfg: Python finds the base (and its site-packages) from `home`. */
export function pyvenvCfgText(
  basePrefix: string,
  pythonVersion: string
): string {
  return `home = ${basePrefix}/bin\ninclude-system-site-packages = true\nversion = ${pythonVersion}\n`;
}

/** The `home` recorded in an env's pyvenv.cfg, or null. */
export function readPyvenvHome(envDir: string): string | null {
  const read = readRegularFile(`${envDir}/pyvenv.cfg`, { maxBytes: 1 << 16 });
  if (!read.ok) {
    return null;
  }
  const text = read.text;
  const match = /^home\s*=\s*(.*?)\s*$/m.exec(text);
  return match ? match[1] : null;
}

/**
 * `bin/pythonX.Y` linking (through baseEnv_dir) to the base interpreter,
 * `python` and `python3` to it, as a venv has them. bin/ exists already
 * (mirrored) unless the base had none.
 */
export function writeInterpreterLinks(
  envDir: string,
  python: PythonMinor
): void {
  makeDirectories(envDir, `${envDir}/bin`);
  makeSymlink(
    `../${BASE_LINK}/bin/python${python}`,
    `${envDir}/bin/python${python}`
  );
  makeSymlink(`python${python}`, `${envDir}/bin/python3`);
  makeSymlink(`python${python}`, `${envDir}/bin/python`);
}

/** The env's site-packages: real and empty, where pip installs. */
export function makeSitePackages(envDir: string, python: PythonMinor): void {
  makeDirectories(envDir, `${envDir}/lib/python${python}/site-packages`);
}

/**
 * `pip`, `pip3`, `pipX.Y` that run the env's interpreter, so a plain `pip
 * install` installs into the env (the base's own pip scripts would run the
 * base interpreter and install into the base, or into ~/.local).
 *
 * The script is the sh/Python polyglot pip itself writes for paths with
 * spaces; it finds the interpreter beside itself, so no path is written in.
 */
export function writePipScripts(envDir: string, python: PythonMinor): void {
  const text = [
    '#!/bin/sh',
    `'''exec' "$(dirname -- "$(readlink -f -- "$0")")/python${python}" "$0" "$@"`,
    "' '''",
    '# pip of an mlc extended env: runs the env interpreter, so installs land in the env.',
    'import sys',
    'from pip._internal.cli.main import main',
    'if __name__ == "__main__":',
    '    sys.exit(main())',
    ''
  ].join('\n');
  writeNewFile(`${envDir}/bin/pip`, text, 0o755);
  makeSymlink('pip', `${envDir}/bin/pip3`);
  makeSymlink('pip', `${envDir}/bin/pip${python}`);
}

/** Write `.mlc-env.json` (whole or not at all: staged, then renamed). */
export function writeEnvRecord(envDir: string, record: EnvRecord): void {
  writeFileStaged(
    `${envDir}/${ENV_RECORD_FILE}`,
    JSON.stringify(record, null, 2) + '\n'
  );
}

/**
 * The env's record, or why there is none. The record must be a regular file
 * (a link to another env's record proves nothing: docs/architecture.md,
 * "What is an env"), opened without following a link, of bounded size.
 */
export function readEnvRecord(
  envDir: string
): { ok: true; value: EnvRecord } | { ok: false; error: string } {
  const read = readRegularFile(`${envDir}/${ENV_RECORD_FILE}`, {
    maxBytes: MAX_RECORD_BYTES,
    followLinks: false,
    strictUtf8: true
  });
  if (read.ok) {
    return parseEnvRecord(read.text);
  }
  return {
    ok: false,
    error: read.missing
      ? `no ${ENV_RECORD_FILE}`
      : `${ENV_RECORD_FILE} ${read.reason}`
  };
}

/** Write a text file in one step (staged with `mode`, renamed into place; a link there is replaced). */
export function replaceFile(file: string, text: string, mode = 0o644): void {
  writeFileStaged(file, text, mode);
}
