/**
 * `mlc kernels doctor` against real Jupyter: in an isolated environment with
 * the image's specs on JUPYTER_PATH, a user `python3` they shadow, a broken
 * user kernel and a foreign one, its list and order must be exactly what
 * `jupyter kernelspec list --json` (the project venv's, and the one inside
 * the image prefix) reports, and its findings must name each problem.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { IDoctorEntry } from '../../src/cli/kernels/doctor';
import {
  isolatedJupyterEnv,
  VENV_JUPYTER,
  type IJupyterEnv
} from '../harness/jupyter';
import { runCommand, runMlc, type IRunResult } from '../harness/mlc';
import { makeScratch, MLC_BUNDLE, VENV } from '../harness/paths';
import { copyTestPrefix } from '../harness/prefix';

let scratch: { dir: string; cleanup: () => void };
let prefix: string;
let python: string;
let env: IJupyterEnv;
let userKernels: string;

beforeAll(() => {
  scratch = makeScratch('kernels-doctor');
  ({ prefix, python } = copyTestPrefix(path.join(scratch.dir, 'opt', 'conda')));
  const installed = runMlc(['kernels', 'install', '--prefix', prefix]);
  if (installed.code !== 0) {
    throw new Error(`mlc kernels install failed: ${installed.stderr}`);
  }
  env = isolatedJupyterEnv(path.join(scratch.dir, 'jupyter'), {
    jupyterPath: [path.join(prefix, 'share', 'jupyter')],
    path: [path.join(VENV, 'bin'), '/usr/bin', '/bin']
  });
  userKernels = path.join(env.JUPYTER_DATA_DIR, 'kernels');
  const plant = (dir: string, spec: object) => {
    fs.mkdirSync(path.join(userKernels, dir), { recursive: true });
    fs.writeFileSync(
      path.join(userKernels, dir, 'kernel.json'),
      JSON.stringify(spec)
    );
  };
  const launcher = ['-m', 'ipykernel_launcher', '-f', '{connection_file}'];
  // What `python -m ipykernel install --user` leaves behind: hidden by the image's python3.
  plant('python3', {
    argv: [path.join(VENV, 'bin', 'python'), ...launcher],
    display_name: 'Python 3 (user)',
    language: 'python'
  });
  // An interpreter that is gone (an old conda env, a moved home).
  plant('broken', {
    argv: ['/nonexistent/env/bin/python3', ...launcher],
    display_name: 'Broken',
    language: 'python'
  });
  // A kernel of another tool, named in capitals: Jupyter lower-cases it.
  plant('Foreign-Sh', {
    argv: ['/bin/sh', '-c', 'exit 1', '{connection_file}'],
    display_name: 'Foreign',
    language: 'sh'
  });
  // An interpreter /usr/bin/env cannot find on the spec's own PATH.
  plant('env-missing', {
    argv: ['/usr/bin/env', 'python-that-is-not-there', ...launcher],
    display_name: 'Env missing',
    language: 'python',
    env: { PATH: '/nonexistent/bin:${PATH}' }
  });
  // Two names equal when lower-cased, in one directory: Jupyter keeps the one it lists last.
  for (const dup of ['Dup', 'dup']) {
    plant(dup, {
      argv: ['/bin/sh', '-c', 'exit 1', '{connection_file}'],
      display_name: `Dup ${dup}`,
      language: 'sh'
    });
  }
  // Not a spec: no kernel.json.
  fs.mkdirSync(path.join(userKernels, 'not-a-spec'), { recursive: true });
});

afterAll(() => {
  scratch?.cleanup();
});

/** Run a program with exactly `vars` as its environment. */
function isolated(
  vars: Record<string, string>,
  file: string,
  args: string[]
): IRunResult {
  const assignments = Object.entries(vars).map(
    ([name, value]) => `${name}=${value}`
  );
  return runCommand('env', ['-i', ...assignments, file, ...args]);
}

function doctor(
  vars: Record<string, string>,
  ...args: string[]
): IDoctorEntry[] {
  const run = isolated(vars, process.execPath, [
    MLC_BUNDLE,
    'kernels',
    'doctor',
    '--json',
    ...args
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const events = run.stdout
    .trim()
    .split('\n')
    .map(line => JSON.parse(line));
  const result = events.find(event => event.type === 'result');
  expect(result.command).toBe('kernels doctor');
  return result.data as IDoctorEntry[];
}

/** Jupyter's own answer, from `<kernelspec command> list --json`: [name, resource_dir] in its order. */
function jupyterList(
  vars: Record<string, string>,
  kernelspec: string[]
): Array<[string, string]> {
  const run = isolated(vars, kernelspec[0], [
    ...kernelspec.slice(1),
    'list',
    '--json'
  ]);
  expect(run.code).toBe(0);
  const specs = (
    JSON.parse(run.stdout) as {
      kernelspecs: Record<string, { resource_dir: string }>;
    }
  ).kernelspecs;
  return Object.entries(specs).map(([name, spec]) => [name, spec.resource_dir]);
}

const visible = (entries: IDoctorEntry[]) =>
  entries
    .filter(entry => entry.visible)
    .map(entry => [entry.name, entry.resourceDir]);

describe('mlc kernels doctor', () => {
  it.each(['0', '1'])(
    'lists what `jupyter kernelspec list` lists, in its order (JUPYTER_PREFER_ENV_PATH=%s)',
    prefer => {
      const vars = { ...env, JUPYTER_PREFER_ENV_PATH: prefer };
      const expected = jupyterList(vars, [VENV_JUPYTER, 'kernelspec']);
      expect(expected.length).toBeGreaterThanOrEqual(5);
      expect(visible(doctor(vars))).toEqual(expected);
    }
  );

  it('flags the shadowed, the broken and the foreign specs, and passes the image ones', () => {
    const entries = doctor(env);
    const find = (name: string, source: string) => {
      const entry = entries.find(
        item => item.name === name && item.source === source
      );
      expect(entry).toBeDefined();
      return entry as IDoctorEntry;
    };
    const imageDir = path.join(prefix, 'share', 'jupyter', 'kernels');
    for (const name of ['python3', 'python3-usersite']) {
      const image = find(name, 'JUPYTER_PATH');
      expect(image.findings).toEqual([]);
      expect(image.mlContainers).toBe(true);
      // `/usr/bin/env python3.X` resolved on the spec's PATH (<prefix>/bin first).
      expect(image.interpreter).toEqual({
        command: `python${python}`,
        path: path.join(prefix, 'bin', `python${python}`),
        exists: true
      });
    }
    const userPython = find('python3', 'user');
    expect(userPython.visible).toBe(false);
    expect(userPython.findings).toEqual(['shadowed']);
    expect(userPython.shadowedBy).toBe(path.join(imageDir, 'python3'));
    const envPython = find('python3', 'env');
    expect(envPython.findings).toEqual(['shadowed']);
    expect(find('broken', 'user').findings).toEqual([
      'missing-interpreter',
      'foreign'
    ]);
    const foreign = find('foreign-sh', 'user');
    expect(foreign.resourceDir).toBe(path.join(userKernels, 'Foreign-Sh'));
    expect(foreign.findings).toEqual(['foreign']);
    expect(find('env-missing', 'user').findings).toEqual([
      'missing-interpreter',
      'foreign'
    ]);
    expect(entries.some(entry => entry.name === 'not-a-spec')).toBe(false);
    const dups = entries.filter(entry => entry.name === 'dup');
    expect(dups.map(entry => entry.visible)).toEqual([true, false]);
    expect(dups[1].shadowedBy).toBe(dups[0].resourceDir);
  });

  it('prints a readable table, exits 0, and exits 1 with one line under --strict', () => {
    const run = isolated(env, process.execPath, [
      MLC_BUNDLE,
      'kernels',
      'doctor'
    ]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}NAME +STATUS +FROM +DISPLAY NAME +RESOURCE DIR$/
      )
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}python3 +ok \(image\) +JUPYTER_PATH +ML-Python3 +\//
      )
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}broken +no interpreter, not the image's +user +Broken +\//
      )
    );
    expect(run.stdout).toContain(`Image prefix: ${prefix} (from JUPYTER_PATH)`);
    expect(run.stdout).toContain('/nonexistent/env/bin/python3 does not exist');

    const strict = isolated(env, process.execPath, [
      MLC_BUNDLE,
      'kernels',
      'doctor',
      '--strict'
    ]);
    expect(strict.code).toBe(1);
    const errorLines = strict.stderr.trim().split('\n');
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(
      /^mlc: error: 4 kernel spec\(s\) Jupyter would show have findings/
    );
    for (const name of ['broken', 'foreign-sh', 'env-missing', 'dup']) {
      expect(errorLines[0]).toContain(name);
    }
  });

  it('searches the env named by --jupyter-prefix, as the jupyter inside the image does', () => {
    // A server run from the image itself: its prefix is the env directory,
    // searched before the user's with JUPYTER_PREFER_ENV_PATH=1.
    const vars = {
      ...env,
      JUPYTER_PATH: '',
      JUPYTER_PREFER_ENV_PATH: '1',
      PATH: '/usr/bin:/bin'
    };
    // Run by the copy's own Python: its bin/jupyter* scripts name the
    // original prefix in their shebangs.
    const expected = jupyterList(vars, [
      path.join(prefix, 'bin', 'python3'),
      '-m',
      'jupyter_client.kernelspecapp'
    ]);
    const entries = doctor(
      vars,
      '--jupyter-prefix',
      prefix,
      '--prefix',
      prefix
    );
    expect(visible(entries)).toEqual(expected);
    const image = entries.find(
      entry => entry.name === 'python3' && entry.visible
    );
    expect(image?.source).toBe('env');
    expect(image?.findings).toEqual([]);
  });
});
