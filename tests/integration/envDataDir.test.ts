/**
 * One Jupyter data-dir resolver (issue 8 item 1): what mlc computes equals
 * what the real `jupyter --data-dir` of the project venv prints, under each
 * variable jupyter_core reads and with HOME a symlink (as on many clusters).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { userJupyterDataDir } from '../../src/cli/kernels/jupyterDirs';
import { makeScratch, VENV } from '../harness/paths';

let scratch: { dir: string; cleanup: () => void };
let realHome: string;
let linkHome: string;

beforeAll(() => {
  scratch = makeScratch('env-data-dir');
  realHome = `${scratch.dir}/real-home`;
  fs.mkdirSync(realHome);
  linkHome = `${scratch.dir}/link-home`;
  fs.symlinkSync(realHome, linkHome);
});

afterAll(() => scratch.cleanup());

function jupyterSays(env: NodeJS.ProcessEnv): string {
  const clean: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    ...env
  };
  return execFileSync(path.join(VENV, 'bin', 'jupyter'), ['--data-dir'], {
    env: clean,
    timeout: 60000
  })
    .toString()
    .trim();
}

const cases: Array<[string, () => NodeJS.ProcessEnv]> = [
  ['HOME only', () => ({ HOME: realHome })],
  ['HOME a symlink', () => ({ HOME: linkHome })],
  [
    'XDG_DATA_HOME',
    () => ({ HOME: linkHome, XDG_DATA_HOME: `${scratch.dir}/xdg` })
  ],
  ['XDG_DATA_HOME empty', () => ({ HOME: linkHome, XDG_DATA_HOME: '' })],
  [
    'JUPYTER_DATA_DIR',
    () => ({
      HOME: linkHome,
      JUPYTER_DATA_DIR: `${scratch.dir}/data`,
      XDG_DATA_HOME: `${scratch.dir}/xdg`
    })
  ],
  [
    'JUPYTER_PLATFORM_DIRS with HOME a symlink',
    () => ({ HOME: linkHome, JUPYTER_PLATFORM_DIRS: '1' })
  ],
  [
    'JUPYTER_PLATFORM_DIRS with XDG_DATA_HOME',
    () => ({
      HOME: linkHome,
      JUPYTER_PLATFORM_DIRS: '1',
      XDG_DATA_HOME: `${scratch.dir}/xdg`
    })
  ],
  [
    'JUPYTER_PLATFORM_DIRS=0',
    () => ({ HOME: linkHome, JUPYTER_PLATFORM_DIRS: '0' })
  ]
];

it.each(cases)('%s', (_label, make) => {
  const env = make();
  expect(userJupyterDataDir(env)).toBe(jupyterSays(env));
});
