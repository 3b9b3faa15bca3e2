/**
 * nerdctl and Apptainer/Singularity cannot be installed here: stand-ins
 * first on PATH record their argv (fixtures/engineStandIn.cjs), and these
 * tests assert the exact commands mlc gives them for setup, enter, jupyter
 * and update. The sandbox is a real directory tree unpacked from a real
 * image with podman (`podman export | tar -x`), so the sandbox code paths
 * (state, re-entry, status, update bookkeeping, removal) run on real files.
 * The registry is real (docker-registry); GPU detection runs on a fake
 * device tree and CDI spec files.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runMlc, type IRunResult } from '../harness/mlc';
import { makeScratch, REPO } from '../harness/paths';
import {
  buildImage,
  PODMAN_GLOBAL,
  podman,
  push,
  registryAvailable,
  startRegistry,
  type ILocalRegistry
} from '../harness/registry';
import { ensureTestBaseImage, TEST_BASE_IMAGE } from '../harness/testImage';

const run = registryAvailable() ? describe : describe.skip;
const BASE_IMAGE = TEST_BASE_IMAGE;
const UNIQUE = `${process.pid}-${Date.now().toString(36)}`;
const TINY = [
  `localhost/mlc-runner-tiny1:${UNIQUE}`,
  `localhost/mlc-runner-tiny2:${UNIQUE}`
];

let scratch: { dir: string; cleanup: () => void };
let registry: ILocalRegistry;
let env: NodeJS.ProcessEnv;
let log: string;
let reference: string;

function calls(): string[][] {
  return fs.existsSync(log)
    ? fs
        .readFileSync(log, 'utf-8')
        .split('\n')
        .filter(Boolean)
        .map(line => JSON.parse(line))
    : [];
}

function mlc(
  cwd: string,
  args: string[],
  extra: NodeJS.ProcessEnv = {}
): IRunResult {
  fs.rmSync(log, { force: true });
  return runMlc(args, { cwd, env: { ...env, ...extra }, timeoutMs: 300000 });
}

function workdir(name: string): string {
  const dir = path.join(scratch.dir, name);
  fs.mkdirSync(dir);
  return fs.realpathSync(dir);
}

function state(dir: string) {
  return JSON.parse(
    fs.readFileSync(path.join(dir, '.mlc-container.json'), 'utf-8')
  );
}

run('mlc with nerdctl and Apptainer stand-ins', () => {
  beforeAll(async () => {
    scratch = makeScratch('runner-standins');
    registry = await startRegistry(path.join(scratch.dir, 'registry'));
    const context = path.join(scratch.dir, 'context');
    fs.mkdirSync(context);
    fs.writeFileSync(
      path.join(context, 'list-of-pkgs-inside.txt'),
      'numpy 1.26.4\n'
    );
    buildImage(
      TINY[0],
      'FROM scratch\nCOPY list-of-pkgs-inside.txt /\nLABEL org.opencontainers.image.version="1"\n',
      context
    );
    buildImage(
      TINY[1],
      'FROM scratch\nCOPY list-of-pkgs-inside.txt /\nLABEL org.opencontainers.image.version="2"\n',
      context
    );
    reference = `${registry.host}/test/standin:latest`;
    push(TINY[0], reference);

    // The sandbox tree: the parts of the real test image that mlc reads, unpacked with podman.
    ensureTestBaseImage();
    const tree = path.join(scratch.dir, 'tree');
    fs.mkdirSync(tree);
    const id = podman(['create', BASE_IMAGE, 'true']).trim();
    try {
      execFileSync(
        'bash',
        [
          '-c',
          'podman --runtime runc export "$1" | tar -x -C "$2" --wildcards "list-of-pkgs-inside.txt" "opt/conda/conda-meta/*" "opt/conda/lib/python3*/site-packages/*.dist-info/*"',
          'x',
          id,
          tree
        ],
        { timeout: 300000 }
      );
    } finally {
      podman(['rm', id]);
    }

    const bin = path.join(scratch.dir, 'bin');
    fs.mkdirSync(bin);
    for (const tool of ['nerdctl', 'apptainer', 'singularity']) {
      fs.symlinkSync(
        path.join(
          REPO,
          'tests',
          'integration',
          'fixtures',
          'engineStandIn.cjs'
        ),
        path.join(bin, tool)
      );
    }
    const standInState = path.join(scratch.dir, 'standin-state');
    fs.mkdirSync(standInState);
    log = path.join(scratch.dir, 'calls.log');
    const catalogue = path.join(scratch.dir, 'catalogue.json');
    fs.writeFileSync(
      catalogue,
      JSON.stringify({
        schemaVersion: 1,
        replaceDefaults: true,
        images: [
          {
            name: 'standin',
            tag: 'latest',
            reference,
            flavour: 'gpu',
            python: '3.11'
          }
        ]
      })
    );
    // A fake NVIDIA device tree and CDI spec directory.
    const dev = path.join(scratch.dir, 'dev');
    fs.mkdirSync(dev);
    fs.writeFileSync(path.join(dev, 'nvidiactl'), '');
    fs.writeFileSync(path.join(dev, 'nvidia0'), '');
    env = {
      PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: scratch.dir,
      MLC_CATALOGUE: catalogue,
      STANDIN_LOG: log,
      STANDIN_STATE: standInState,
      STANDIN_TREE: tree,
      MLC_GPU_DEV_ROOT: dev,
      MLC_CDI_DIRS: path.join(scratch.dir, 'cdi')
    };
  }, 1800000);

  afterAll(async () => {
    await registry?.stop();
    for (const image of [...TINY, reference]) {
      spawnSync('podman', [...PODMAN_GLOBAL, 'rmi', image]);
    }
    scratch?.cleanup();
  });

  it('nerdctl: pull, create with the GPUs and the user id, start, exec, jupyter, exactly', () => {
    const wd = workdir('nerdctl');
    const setup = mlc(wd, [
      'setup',
      'standin',
      '--nerdctl',
      '--no-enter',
      '-B',
      '/tmp:/data'
    ]);
    expect(setup.code).toBe(0);
    const recorded = state(wd);
    const sequence = calls();
    expect(sequence[0]).toEqual(['nerdctl', 'pull', '--', reference]);
    const create = sequence.find(call => call[1] === 'create');
    expect(create).toEqual([
      'nerdctl',
      'create',
      '--name',
      recorded.container.name,
      '--label',
      `io.github.mlc.workdir-id=${recorded.workdirId}`,
      '--label',
      `io.github.mlc.setup-id=${recorded.setupId}`,
      '--label',
      `io.github.mlc.workdir=${wd}`,
      '--user',
      `${process.getuid?.()}:${process.getgid?.()}`,
      '--network',
      'host',
      '-v',
      `${wd}:${wd}`,
      '-w',
      wd,
      '-e',
      `MLC_WORKDIR=${wd}`,
      '-v',
      '/tmp:/data',
      '--gpus',
      'all',
      '--entrypoint',
      'sleep',
      '--',
      reference,
      'infinity'
    ]);
    expect(recorded.gpu).toBe('gpus');
    expect(calls().some(call => call.includes('--privileged'))).toBe(false);

    // Created, not running: checked to be ours (id and labels), started, then exec'd into.
    const entered = mlc(wd, ['enter']);
    expect(entered.code).toBe(0);
    expect(entered.stderr).toBe('');
    const exec = [
      'nerdctl',
      'exec',
      '-i',
      '-w',
      wd,
      '--',
      recorded.container.id,
      '/bin/bash'
    ];
    const inspect = [
      'nerdctl',
      'container',
      'inspect',
      '--',
      recorded.container.id
    ];
    expect(calls()).toEqual([
      inspect,
      ['nerdctl', 'start', '--', recorded.container.id],
      exec
    ]);
    // Running, and the engine's word on it kept: straight in, one engine call.
    expect(mlc(wd, ['enter']).code).toBe(0);
    expect(calls()).toEqual([exec]);
    // Stopped since: the exec is refused at once, unseen; checked, started, entered.
    const record = path.join(
      env.STANDIN_STATE as string,
      recorded.container.id
    );
    const stopped = JSON.parse(fs.readFileSync(record, 'utf-8'));
    stopped.State.Status = 'exited';
    fs.writeFileSync(record, JSON.stringify(stopped));
    const restarted = mlc(wd, ['enter']);
    expect(restarted.code).toBe(0);
    expect(restarted.stderr).toBe('');
    expect(calls()).toEqual([
      exec,
      inspect,
      ['nerdctl', 'start', '--', recorded.container.id],
      exec
    ]);
    const status = mlc(wd, ['enter', '--', 'false'], { STANDIN_EXIT: '5' });
    expect(status.code).toBe(5);
    // A command that fails at once and stops its own container is not the
    // engine's refusal: never run twice; the container started again, said.
    const stoppedItself = mlc(wd, ['enter', '--', 'sh', '-c', 'kill 1'], {
      STANDIN_EXIT: '3',
      STANDIN_EXEC_STOPS: '1'
    });
    expect(stoppedItself.code).toBe(3);
    expect(stoppedItself.stderr).toMatch(/^the command failed\n/);
    expect(stoppedItself.stderr).toMatch(
      /mlc: warning: .*run the command again if it did not run/
    );
    const afterStop = calls();
    expect(afterStop.filter(call => call[1] === 'exec')).toHaveLength(1);
    expect(afterStop).toContainEqual([
      'nerdctl',
      'start',
      '--',
      recorded.container.id
    ]);

    const jupyter = mlc(wd, ['jupyter', '--port', '18765']);
    expect(jupyter.code).toBe(0);
    const url = /http:\/\/127\.0\.0\.1:18765\/lab\?token=([a-f0-9]{48})/.exec(
      jupyter.stdout
    );
    expect(url).not.toBeNull();
    const jupyterExec = calls().find(call => call[1] === 'exec') as string[];
    expect(jupyterExec).toEqual([
      'nerdctl',
      'exec',
      '-i',
      '-w',
      wd,
      '-e',
      `JUPYTER_TOKEN=${url?.[1]}`,
      '--',
      recorded.container.id,
      'jupyter',
      'lab',
      '--no-browser',
      '--ip=127.0.0.1',
      '--port=18765',
      '--ServerApp.port_retries=0',
      `--ServerApp.root_dir=${wd}`,
      ...(process.getuid?.() === 0 ? ['--allow-root'] : [])
    ]);

    // Removed behind mlc's back: the exec is refused, the engine asked, the kept proof dropped.
    const proof = path.join(
      scratch.dir,
      '.cache',
      'mlc',
      'containers',
      recorded.workdirId
    );
    expect(fs.readFileSync(proof, 'utf-8')).toContain(recorded.container.id);
    fs.rmSync(record);
    const gone = mlc(wd, ['enter']);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim().split('\n')).toHaveLength(1);
    expect(gone.stderr).toMatch(/no longer exists/);
    expect(calls()).toEqual([exec, inspect]);
    expect(fs.existsSync(proof)).toBe(false);
  });

  it('GPU: a host without a driver gets a CPU container and one line; --gpu all there is refused; --gpu none is quiet', () => {
    const cdi = path.join(scratch.dir, 'cdi');
    fs.mkdirSync(cdi, { recursive: true });
    const wd = workdir('gpu-none');
    const noDriver = mlc(wd, ['setup', 'standin', '--nerdctl', '--no-enter'], {
      MLC_GPU_DEV_ROOT: path.join(scratch.dir, 'empty-dev')
    });
    expect(noDriver.code).toBe(0);
    expect(noDriver.stderr.trim()).toBe(
      'mlc: warning: no NVIDIA GPU driver found: setting up a CPU-only container'
    );
    expect(calls().find(call => call[1] === 'create')).not.toContain('--gpus');
    const all = mlc(
      workdir('gpu-all'),
      ['setup', 'standin', '--nerdctl', '--gpu', 'all', '--no-enter'],
      { MLC_GPU_DEV_ROOT: path.join(scratch.dir, 'empty-dev') }
    );
    expect(all.code).toBe(1);
    expect(all.stderr).toMatch(/--gpu all: no NVIDIA GPU driver found/);
    const none = mlc(workdir('gpu-off'), [
      'setup',
      'standin',
      '--nerdctl',
      '--gpu',
      'none',
      '--no-enter'
    ]);
    expect(calls().find(call => call[1] === 'create')).not.toContain('--gpus');
    expect(none.stderr).toBe('');
  });

  it('Apptainer: builds the sandbox under the work dir, runs it writable, reads what the user added', () => {
    const wd = workdir('apptainer');
    const setup = mlc(wd, ['setup', 'standin', '--apptainer', '--no-enter']);
    expect(setup.code).toBe(0);
    const recorded = state(wd);
    const sandbox = path.join(wd, recorded.sandbox.directory);
    expect(calls()).toEqual([
      [
        'apptainer',
        'build',
        '--sandbox',
        '--fix-perms',
        '--',
        sandbox,
        `docker://${reference}`
      ]
    ]);
    expect(
      fs.readFileSync(path.join(sandbox, '.mlc-sandbox-id'), 'utf-8').trim()
    ).toBe(`${recorded.workdirId} ${recorded.setupId}`);
    expect(recorded.gpu).toBe('nv');

    expect(mlc(wd, []).code).toBe(0);
    expect(calls()).toEqual([
      ['apptainer', 'run', '-w', '--pwd', wd, '--nv', '--', sandbox]
    ]);
    expect(mlc(wd, ['enter', '--', 'python3', '-V']).code).toBe(0);
    expect(calls()).toEqual([
      [
        'apptainer',
        'exec',
        '-w',
        '--pwd',
        wd,
        '--nv',
        '--',
        sandbox,
        'python3',
        '-V'
      ]
    ]);

    // What pip and micromamba would leave in the sandbox.
    const site = fs
      .readdirSync(path.join(sandbox, 'opt/conda/lib'))
      .find(name => name.startsWith('python3')) as string;
    const distInfo = path.join(
      sandbox,
      'opt/conda/lib',
      site,
      'site-packages',
      'added_by_user-0.5.dist-info'
    );
    fs.mkdirSync(distInfo);
    fs.writeFileSync(
      path.join(distInfo, 'METADATA'),
      'Name: added_by_user\nVersion: 0.5\n'
    );
    const when = new Date(Date.now() + 60000)
      .toISOString()
      .slice(0, 19)
      .replace('T', ' ');
    fs.appendFileSync(
      path.join(sandbox, 'opt/conda/conda-meta/history'),
      `==> ${when} <==\n# cmd: micromamba install dask\n# update specs: ["dask"]\n+conda-forge::dask-core-2023.5.0-pyhd8ed1ab_0\n+conda-forge::dask-2023.5.0-pyhd8ed1ab_0\n`
    );
    const status = mlc(wd, ['--json', 'status']);
    expect(status.code).toBe(0);
    const data = JSON.parse(status.stdout.split('\n')[0]).data;
    expect(data.status).toBe('present');
    expect(data.added.pip).toEqual([{ name: 'added_by_user', version: '0.5' }]);
    expect(data.added.conda.map((p: { name: string }) => p.name)).toEqual([
      'dask',
      'dask-core'
    ]);
    expect(data.added.condaSpecs).toEqual(['dask']);
  });

  it('Apptainer update -f: a new sandbox beside the old, packages reinstalled, only then the old one removed', () => {
    const wd = path.join(scratch.dir, 'apptainer');
    const old = state(wd);
    // A look-alike directory that is not ours: never removed.
    fs.mkdirSync(path.join(wd, '.mlc-sandbox-standin-latest-u7'));
    push(TINY[1], reference);
    const result = mlc(wd, ['update', '-f'], { STANDIN_EXIT: '0' });
    expect(result.code).toBe(0);
    const fresh = state(wd);
    const newSandbox = path.join(wd, fresh.sandbox.directory);
    expect(fresh.sandbox.directory).not.toBe(old.sandbox.directory);
    const sequence = calls();
    expect(sequence[0]).toEqual([
      'apptainer',
      'build',
      '--sandbox',
      '--fix-perms',
      '--',
      newSandbox,
      `docker://${reference}`
    ]);
    expect(sequence[1]).toEqual([
      'apptainer',
      'exec',
      '-w',
      '--pwd',
      wd,
      '--nv',
      '--',
      newSandbox,
      'sh',
      '-c',
      'command -v micromamba || command -v mamba || command -v conda'
    ]);
    expect(sequence[2]).toEqual([
      'apptainer',
      'exec',
      '-w',
      '--pwd',
      wd,
      '--nv',
      '--',
      newSandbox,
      '/opt/conda/bin/micromamba',
      'install',
      '-y',
      '-p',
      '/opt/conda',
      '--',
      'dask'
    ]);
    expect(sequence[3]).toEqual([
      'apptainer',
      'exec',
      '-w',
      '--pwd',
      wd,
      '--nv',
      '--',
      newSandbox,
      'python3',
      '-m',
      'pip',
      'install',
      '--no-input',
      '--',
      'added_by_user==0.5'
    ]);
    expect(fs.existsSync(path.join(wd, old.sandbox.directory))).toBe(false);
    expect(fs.existsSync(path.join(wd, '.mlc-sandbox-standin-latest-u7'))).toBe(
      true
    );
    expect(fresh.image.digest).not.toBe(old.image.digest);
  });

  it('a failed sandbox build leaves the old sandbox and the state as they were', () => {
    const wd = path.join(scratch.dir, 'apptainer');
    const before = fs.readFileSync(
      path.join(wd, '.mlc-container.json'),
      'utf-8'
    );
    push(TINY[0], reference);
    const result = mlc(wd, ['update', '-f'], { STANDIN_EXIT: '1' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').pop()).toMatch(
      /build of the sandbox failed/
    );
    expect(fs.readFileSync(path.join(wd, '.mlc-container.json'), 'utf-8')).toBe(
      before
    );
    expect(
      fs.existsSync(path.join(wd, JSON.parse(before).sandbox.directory))
    ).toBe(true);
  });
});
