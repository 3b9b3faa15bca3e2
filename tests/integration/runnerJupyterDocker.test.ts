/**
 * The runner on a real Docker Engine (dockerd started by the harness), and
 * `mlc jupyter` for real on podman and docker: an image with JupyterLab
 * (the test image plus JupyterLab's wheels, downloaded once into
 * build/jupyter-wheels) is pushed to a real local registry, set up, entered,
 * and its JupyterLab answers on the printed URL with the image's kernels.
 */
import { createHash } from 'crypto';
import {
  execFileSync,
  spawn,
  spawnSync,
  type ChildProcess
} from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import {
  dockerUnavailable,
  startDocker,
  type IDockerDaemon
} from '../harness/docker';
import { runMlc } from '../harness/mlc';
import { makeScratch, MLC_BUNDLE, REPO, VENV } from '../harness/paths';
import { reapProcessesMentioning } from '../harness/processes';
import {
  buildImage,
  freePort,
  PODMAN_GLOBAL,
  PODMAN_LIMITS,
  push,
  registryAvailable,
  startRegistry,
  type ILocalRegistry
} from '../harness/registry';
import { ensureTestBaseImage, TEST_BASE_IMAGE } from '../harness/testImage';

const BASE_IMAGE = TEST_BASE_IMAGE;
const UNIQUE = `${process.pid}-${Date.now().toString(36)}`;
const LOCAL = `localhost/mlc-runner-jupyter:${UNIQUE}`;
const WHEELS = path.join(REPO, 'build', 'jupyter-wheels');
const LABEL = 'io.github.mlc.workdir-id';

let scratch: { dir: string; cleanup: () => void };
let registry: ILocalRegistry;
let docker: IDockerDaemon | null = null;
let dockerSkip: string | null = null;
let env: NodeJS.ProcessEnv;
const workdirs: string[] = [];

function ensureWheels(): void {
  if (fs.existsSync(path.join(WHEELS, '.complete'))) {
    return;
  }
  fs.mkdirSync(WHEELS, { recursive: true });
  execFileSync(
    path.join(VENV, 'bin', 'python'),
    [
      '-m',
      'pip',
      'download',
      '-q',
      '-d',
      WHEELS,
      '--only-binary=:all:',
      '--python-version',
      '3.11',
      '--platform',
      'manylinux2014_x86_64',
      '--platform',
      'manylinux_2_17_x86_64',
      '--platform',
      'manylinux_2_28_x86_64',
      '--platform',
      'any',
      'jupyterlab',
      'pysqlite3-binary'
    ],
    { stdio: 'pipe', timeout: 600000 }
  );
  fs.writeFileSync(path.join(WHEELS, '.complete'), '');
}

function workdir(name: string): string {
  const dir = path.join(scratch.dir, name);
  fs.mkdirSync(dir);
  workdirs.push(dir);
  return fs.realpathSync(dir);
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise(resolve => {
    const req = http.get(url, { agent: false }, res => {
      let body = '';
      res.on('data', chunk => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.setTimeout(5000, () => req.destroy());
  });
}

/** Start `mlc jupyter`, wait (bounded) for its URL to answer, return the kernel specs it lists. */
async function jupyterKernels(
  cwd: string,
  extraEnv: NodeJS.ProcessEnv
): Promise<{
  url: string;
  specs: Record<string, { spec: { display_name: string } }>;
}> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [MLC_BUNDLE, 'jupyter', '--port', String(port)],
    {
      cwd,
      env: { ...process.env, ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  );
  let out = '';
  child.stdout?.on('data', chunk => (out += chunk));
  let err = '';
  child.stderr?.on('data', chunk => (err += chunk));
  try {
    let url = '';
    for (let i = 0; i < 600 && !url; i++) {
      url =
        /http:\/\/127\.0\.0\.1:\d+\/lab\?token=[a-f0-9]+/.exec(out)?.[0] ?? '';
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    expect(url).toContain(`127.0.0.1:${port}/lab?token=`);
    const token = new URL(url).searchParams.get('token');
    for (let i = 0; i < 240; i++) {
      const answer = await get(
        `http://127.0.0.1:${port}/api/kernelspecs?token=${token}`
      );
      if (answer.status === 200) {
        const lab = await get(url);
        expect(lab.status).toBe(200);
        expect(
          (await get(`http://127.0.0.1:${port}/api/kernelspecs`)).status
        ).toBe(403);
        return { url, specs: JSON.parse(answer.body).kernelspecs };
      }
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    throw new Error(`JupyterLab did not answer on ${url}: ${err.slice(-1500)}`);
  } finally {
    child.kill('SIGTERM');
  }
}

describe('mlc jupyter on podman and the runner on a real Docker Engine', () => {
  beforeAll(async () => {
    if (!registryAvailable()) {
      throw new Error('docker-registry is not installed; run scripts/setup.sh');
    }
    scratch = makeScratch('runner-jd');
    registry = await startRegistry(path.join(scratch.dir, 'registry'));
    ensureTestBaseImage();
    ensureWheels();
    const context = path.join(scratch.dir, 'context');
    fs.cpSync(WHEELS, path.join(context, 'wheels'), { recursive: true });
    // The test prefix's Python has no _sqlite3, which jupyter_server needs: pysqlite3-binary's
    // module under the fallback name jupyter_server tries (pysqlite2), a stand-in for test images only.
    fs.mkdirSync(path.join(context, 'pysqlite2'));
    fs.writeFileSync(path.join(context, 'pysqlite2', '__init__.py'), '');
    fs.writeFileSync(
      path.join(context, 'pysqlite2', 'dbapi2.py'),
      'from pysqlite3.dbapi2 import *  # noqa\n'
    );
    buildImage(
      LOCAL,
      `FROM ${BASE_IMAGE}\nCOPY wheels /tmp/wheels\nCOPY pysqlite2 /opt/conda/lib/python3.11/site-packages/pysqlite2\n` +
        'RUN python3 -m pip install -q --no-index --find-links /tmp/wheels jupyterlab pysqlite3-binary && rm -rf /tmp/wheels\n',
      context
    );
    push(LOCAL, `${registry.host}/test/ml-jupyter:latest`);
    const catalogue = path.join(scratch.dir, 'catalogue.json');
    fs.writeFileSync(
      catalogue,
      JSON.stringify({
        schemaVersion: 1,
        images: [
          {
            name: 'ml-jupyter',
            tag: 'latest',
            reference: `${registry.host}/test/ml-jupyter:latest`,
            flavour: 'cpu',
            python: '3.11'
          }
        ]
      })
    );
    env = {
      HOME: scratch.dir,
      MLC_CATALOGUE: catalogue,
      CONTAINERS_REGISTRIES_CONF: registry.registriesConf,
      MLC_PODMAN_ARGS: PODMAN_GLOBAL.join(' '),
      MLC_PODMAN_CREATE_ARGS: PODMAN_LIMITS.join(' '),
      MLC_GPU_DEV_ROOT: path.join(scratch.dir, 'no-dev')
    };
    dockerSkip = dockerUnavailable();
    if (!dockerSkip) {
      try {
        docker = await startDocker(fs.mkdtempSync('/tmp/mlc-dk-'));
      } catch (reason) {
        dockerSkip = `dockerd could not start: ${(reason as Error).message.slice(0, 200)}`;
      }
    }
  }, 1800000);

  afterAll(async () => {
    if (scratch) {
      reapProcessesMentioning(scratch.dir);
    }
    for (const dir of workdirs) {
      const id = createHash('sha256')
        .update(fs.realpathSync(dir))
        .digest('hex');
      for (const [tool, extra] of [
        ['podman', PODMAN_GLOBAL],
        ['docker', docker ? ['-H', docker.host] : null]
      ] as const) {
        if (!extra) {
          continue;
        }
        const ids =
          spawnSync(
            tool,
            [...extra, 'ps', '-aq', '--filter', `label=${LABEL}=${id}`],
            { encoding: 'utf-8' }
          )
            .stdout?.split('\n')
            .filter(Boolean) ?? [];
        for (const container of ids) {
          spawnSync(tool, [...extra, 'rm', '-f', container]);
        }
      }
    }
    if (docker) {
      await docker.stop();
    }
    spawnSync('podman', [
      ...PODMAN_GLOBAL,
      'rmi',
      LOCAL,
      `${registry?.host}/test/ml-jupyter:latest`
    ]);
    await registry?.stop();
    scratch?.cleanup();
  }, 300000);

  it('podman: JupyterLab answers on the printed 127.0.0.1 URL, same port inside and out, with the image kernels', async () => {
    const wd = workdir('podman');
    expect(
      runMlc(['setup', 'ml-jupyter', '--podman', '--no-enter'], {
        cwd: wd,
        env,
        timeoutMs: 600000
      }).code
    ).toBe(0);
    const { specs } = await jupyterKernels(wd, {});
    expect(specs.python3.spec.display_name).toBe('ML-Python3');
    expect(specs['python3-usersite'].spec.display_name).toBe(
      'ML-Python3-usersite'
    );
  });

  it('docker: setup with the user id, enter returns the status, status reads the added packages, jupyter answers', async () => {
    if (dockerSkip || !docker) {
      console.warn(`skipped: ${dockerSkip}`);
      return;
    }
    const dockerEnv = {
      DOCKER_HOST: docker.host,
      PATH: `/usr/bin:/bin:${path.dirname(process.execPath)}`
    };
    const wd = workdir('docker');
    const setup = runMlc(['setup', 'ml-jupyter', '--docker', '--no-enter'], {
      cwd: wd,
      env: { ...env, ...dockerEnv },
      timeoutMs: 900000
    });
    expect(setup.stderr).not.toMatch(/error/);
    expect(setup.code).toBe(0);
    const recorded = JSON.parse(
      fs.readFileSync(path.join(wd, '.mlc-container.json'), 'utf-8')
    );
    expect(recorded.engine).toBe('docker');
    const view = JSON.parse(
      execFileSync(
        'docker',
        ['-H', docker.host, 'container', 'inspect', recorded.container.id],
        { encoding: 'utf-8' }
      )
    )[0];
    expect(view.State.Status).toBe('created');
    expect(view.Config.User).toBe(
      `${process.getuid?.()}:${process.getgid?.()}`
    );
    expect(view.HostConfig.Privileged).toBe(false);
    const entered = runMlc(['enter', '--', 'sh', '-c', 'pwd; exit 9'], {
      cwd: wd,
      env: { ...env, ...dockerEnv }
    });
    expect(entered.code).toBe(9);
    expect(entered.stdout.trim()).toBe(wd);
    const status = runMlc(['--json', 'status'], {
      cwd: wd,
      env: { ...env, ...dockerEnv },
      timeoutMs: 300000
    });
    expect(status.code).toBe(0);
    const data = JSON.parse(status.stdout.split('\n')[0]).data;
    expect(data).toMatchObject({
      status: 'running',
      added: { conda: [], pip: expect.any(Array) }
    });
    const { specs } = await jupyterKernels(wd, dockerEnv);
    expect(specs.python3.spec.display_name).toBe('ML-Python3');
  });
});
