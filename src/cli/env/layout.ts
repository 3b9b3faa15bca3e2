/**
 * The env's own files besides the mirror: the interpreter links, pyvenv.cfg,
 * an empty site-packages, pip's scripts, the base link and the record.
 */
import * as fs from 'fs';
import { ENV_RECORD_FILE, parseEnvRecord, type EnvRecord } from '../../core/envRecord';
import type { PythonMinor } from '../../core/kernelspec';
import { BASE_LINK } from './mirror';

/** The text of pyvenv.cfg: Python finds the base (and its site-packages) from `home`. */
export function pyvenvCfgText(basePrefix: string, pythonVersion: string): string {
  return `home = ${basePrefix}/bin\ninclude-system-site-packages = true\nversion = ${pythonVersion}\n`;
}

/** The `home` recorded in an env's pyvenv.cfg, or null. */
export function readPyvenvHome(envDir: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(`${envDir}/pyvenv.cfg`, 'utf-8');
  } catch {
    return null;
  }
  const match = /^home\s*=\s*(.*?)\s*$/m.exec(text);
  return match ? match[1] : null;
}

/**
 * `bin/pythonX.Y` linking (through baseEnv_dir) to the base interpreter,
 * `python` and `python3` to it, as a venv has them. bin/ exists already
 * (mirrored) unless the base had none.
 */
export function writeInterpreterLinks(envDir: string, python: PythonMinor): void {
  fs.mkdirSync(`${envDir}/bin`, { recursive: true });
  fs.symlinkSync(`../${BASE_LINK}/bin/python${python}`, `${envDir}/bin/python${python}`);
  fs.symlinkSync(`python${python}`, `${envDir}/bin/python3`);
  fs.symlinkSync(`python${python}`, `${envDir}/bin/python`);
}

/** The env's site-packages: real and empty, where pip installs. */
export function makeSitePackages(envDir: string, python: PythonMinor): void {
  fs.mkdirSync(`${envDir}/lib/python${python}/site-packages`, { recursive: true });
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
  fs.writeFileSync(`${envDir}/bin/pip`, text, { mode: 0o755 });
  fs.symlinkSync('pip', `${envDir}/bin/pip3`);
  fs.symlinkSync('pip', `${envDir}/bin/pip${python}`);
}

/** Write `.mlc-env.json` (whole or not at all: write then rename). */
export function writeEnvRecord(envDir: string, record: EnvRecord): void {
  const file = `${envDir}/${ENV_RECORD_FILE}`;
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}

/** The env's record, or why there is none. */
export function readEnvRecord(envDir: string): { ok: true; value: EnvRecord } | { ok: false; error: string } {
  let text: string;
  try {
    text = fs.readFileSync(`${envDir}/${ENV_RECORD_FILE}`, 'utf-8');
  } catch {
    return { ok: false, error: `no ${ENV_RECORD_FILE}` };
  }
  return parseEnvRecord(text);
}

/** Replace a file or symlink in one step (a temporary sibling renamed over it). */
export function replaceSymlink(target: string, file: string): void {
  const temp = `${file}.mlc-tmp-${process.pid}`;
  fs.rmSync(temp, { force: true });
  fs.symlinkSync(target, temp);
  fs.renameSync(temp, file);
}

/** Write a text file in one step (new file with `mode`, less the umask, renamed into place). */
export function replaceFile(file: string, text: string, mode = 0o644): void {
  const temp = `${file}.mlc-tmp-${process.pid}`;
  fs.rmSync(temp, { force: true });
  fs.writeFileSync(temp, text, { mode });
  fs.renameSync(temp, file);
}
