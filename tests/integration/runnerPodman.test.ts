/**
 * `mlc setup / enter / status / update` with real podman, pulling from a
 * real registry on 127.0.0.1 (docker-registry): images derived from the
 * test image the container tests build (Debian base, the test prefix at
 * /opt/conda, /list-of-pkgs-inside.txt), pushed by podman. The seed's
 * defects are each a case here: deletion without -f, containers shared
 * between directories, a `Created` container treated as absent, a state
 * file that is sourced.
 */
import { createHash } from 'crypto';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runMlc, type IRunResult } from '../harness/mlc';
import { makeScratch } from '../harness/paths';
import {
  buildImage,
  PODMAN_GLOBAL,
  PODMAN_LIMITS,
  podman,
  push,
  registryAvailable,
  startRegistry,
  type ILocalRegistry
} from '../harness/registry';
import { buildWheel } from '../harness/unprivilegedBase';
import { ensureTestBaseImage, TEST_BASE_IMAGE } from '../harness/testImage';

const run = registryAvailable() ? describe : describe.skip;
const BASE_IMAGE = TEST_BASE_IMAGE;
const UNIQUE = `${process.pid}-${Date.now().toString(36)}`;
const V1 = `localhost/mlc-runner-v1:${UNIQUE}`;
const V2 = `localhost/mlc-runner-v2:${UNIQUE}`;
const LABEL = 'io.github.mlc.workdir-id';

let scratch: { dir: string; cleanup: () => void };
let registry: ILocalRegistry;
let env: NodeJS.ProcessEnv;
const workdirs: string[] = [];

function workdir(name: string): string {
  const dir = path.join(scratch.dir, name);
  fs.mkdirSync(dir, { recursive: true });
  workdirs.push(dir);
  return dir;
}

function mlc(
  cwd: string,
  args: string[],
  extra: { input?: string; env?: NodeJS.ProcessEnv } = {}
): IRunResult {
  return runMlc(args, {
    cwd,
    env: { ...env, ...(extra.env ?? {}) },
    input: extra.input ?? '',
    timeoutMs: 600000
  });
}

function state(dir: string): {
  container: { name: string; id: string };
  image: { digest: string };
  setupId: string;
} {
  return JSON.parse(
    fs.readFileSync(path.join(dir, '.mlc-container.json'), 'utf-8')
  );
}

function containerExists(id: string): boolean {
  return (
    spawnSync('podman', [...PODMAN_GLOBAL, 'container', 'exists', id])
      .status === 0
  );
}

function inspect(id: string): {
  State: { Status: string };
  Config: { Labels: Record<string, string> };
  Name: string;
} {
  return JSON.parse(podman(['container', 'inspect', id]))[0];
}

function resultOf(stdout: string): Record<string, unknown> {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line))
    .find(e => e.type === 'result')?.data;
}

run('mlc runs an image with real podman from a real registry', () => {
  beforeAll(async () => {
    scratch = makeScratch('runner-podman');
    registry = await startRegistry(path.join(scratch.dir, 'registry'));
    ensureTestBaseImage();
    const context = path.join(scratch.dir, 'context');
    fs.mkdirSync(context);
    fs.writeFileSync(path.join(context, 'generation'), '2\n');
    buildImage(
      V1,
      `FROM ${BASE_IMAGE}\nLABEL org.opencontainers.image.version="1"\n`,
      context
    );
    buildImage(
      V2,
      `FROM ${V1}\nCOPY generation /etc/mlc-test-generation\nLABEL org.opencontainers.image.version="2"\n`,
      context
    );
    push(V1, `${registry.host}/test/ml-test:latest`);
    push(V1, `${registry.host}/test/ml-other:latest`);
    const catalogue = path.join(scratch.dir, 'catalogue.json');
    fs.writeFileSync(
      catalogue,
      JSON.stringify({
        schemaVersion: 1,
        images: [
          {
            name: 'ml-test',
            tag: 'latest',
            reference: `${registry.host}/test/ml-test:latest`,
            flavour: 'cpu',
            python: '3.11'
          },
          {
            name: 'ml-other',
            tag: 'latest',
            reference: `${registry.host}/test/ml-other:latest`,
            flavour: 'cpu',
            python: '3.11'
          },
          // A registry that is down (nothing listens on port 9).
          {
            name: 'ml-down',
            tag: 'latest',
            reference: '127.0.0.1:9/test/ml-down:latest',
            flavour: 'cpu',
            python: '3.11'
          }
        ]
      })
    );
    const home = path.join(scratch.dir, 'home');
    fs.mkdirSync(home);
    env = {
      HOME: home,
      MLC_CATALOGUE: catalogue,
      CONTAINERS_REGISTRIES_CONF: registry.registriesConf,
      MLC_PODMAN_ARGS: PODMAN_GLOBAL.join(' '),
      MLC_PODMAN_CREATE_ARGS: PODMAN_LIMITS.join(' '),
      MLC_GPU_DEV_ROOT: path.join(scratch.dir, 'no-dev'),
      MLC_CDI_DIRS: path.join(scratch.dir, 'no-cdi')
    };
  }, 1800000);

  afterAll(async () => {
    for (const dir of workdirs) {
      const id = createHash('sha256')
        .update(fs.realpathSync(dir))
        .digest('hex');
      const ids = spawnSync(
        'podman',
        [
          ...PODMAN_GLOBAL,
          'ps',
          '-aq',
          '--no-trunc',
          '--filter',
          `label=${LABEL}=${id}`
        ],
        { encoding: 'utf-8' }
      )
        .stdout.split('\n')
        .filter(Boolean);
      for (const container of ids) {
        spawnSync('podman', [
          ...PODMAN_GLOBAL,
          'rm',
          '-f',
          '-t',
          '0',
          container
        ]);
      }
    }
    for (const image of [
      V2,
      V1,
      `${registry?.host}/test/ml-test:latest`,
      `${registry?.host}/test/ml-other:latest`
    ]) {
      spawnSync('podman', [...PODMAN_GLOBAL, 'rmi', image]);
    }
    await registry?.stop();
    scratch?.cleanup();
  }, 300000);

  it('sets up a labelled container per work directory, and a Created one is started on entry', () => {
    const a = workdir('wd-a');
    const setupA = mlc(a, ['--json', 'setup', 'ml-test', '--podman']);
    // With --json the note is a warning event among the others.
    expect(setupA.stdout).toMatch(
      /"type":"warning","message":"no NVIDIA GPU driver found: setting up a CPU-only container"/
    );
    expect(setupA.code).toBe(0);
    const recorded = state(a);
    const view = inspect(recorded.container.id);
    expect(view.State.Status).toBe('created');
    expect(view.Config.Labels[LABEL]).toBe(
      createHash('sha256').update(fs.realpathSync(a)).digest('hex')
    );
    expect(recorded.image.digest).toMatch(/^sha256:[a-f0-9]{64}$/);

    const b = workdir('wd-b');
    expect(mlc(b, ['--json', 'setup', 'ml-test']).code).toBe(0);
    expect(state(b).container.name).not.toBe(recorded.container.name);
    expect(state(b).container.id).not.toBe(recorded.container.id);

    // `mlc enter` returns the command's status, in the work dir, inside the container.
    const entered = mlc(a, [
      'enter',
      '--',
      'sh',
      '-c',
      'pwd; test -f /list-of-pkgs-inside.txt && exit 7'
    ]);
    expect(entered.code).toBe(7);
    expect(entered.stderr).not.toMatch(/running|improper/);
    expect(entered.stdout.trim()).toBe(fs.realpathSync(a));
    expect(inspect(recorded.container.id).State.Status).toBe('running');
    // Bare `mlc` in a set-up directory enters it: a shell reading stdin.
    const bare = mlc(a, [], { input: 'echo inside-$MLC_WORKDIR\nexit 3\n' });
    expect(bare.code).toBe(3);
    expect(bare.stdout).toContain(`inside-${fs.realpathSync(a)}`);
    // A stopped container is started again.
    podman(['stop', '-t', '0', recorded.container.id]);
    expect(mlc(a, ['enter', '--', 'true']).code).toBe(0);
  });

  it('never replaces a setup without -f, and refuses bad state files without deleting anything', () => {
    const a = workdirs[0];
    const before = fs.readFileSync(
      path.join(a, '.mlc-container.json'),
      'utf-8'
    );
    const { container } = state(a);
    const other = mlc(a, ['setup', 'ml-other', '--no-enter']);
    expect(other.code).toBe(1);
    expect(other.stderr.trim().split('\n')).toHaveLength(1);
    expect(other.stderr).toMatch(/already set up with ml-test:latest.*add -f/);
    expect(containerExists(container.id)).toBe(true);
    expect(fs.readFileSync(path.join(a, '.mlc-container.json'), 'utf-8')).toBe(
      before
    );

    const statefile = path.join(a, '.mlc-container.json');
    const cases: [string, RegExp][] = [
      ['{"schemaVersion": 1, "engine": "podman"', /is not valid JSON/],
      [
        JSON.stringify({
          ...JSON.parse(before),
          schemaVersion: 7,
          writtenBy: '9.0.0'
        }),
        /written by a newer mlc \(9\.0\.0\)/
      ],
      [
        JSON.stringify({
          ...JSON.parse(before),
          container: { name: 'x; rm -rf ~', id: container.id }
        }),
        /container\.name/
      ],
      // A state file that the seed would have sourced: here it is data, never run.
      ['export X=1; touch /tmp/mlc-sourced', /is not valid JSON/]
    ];
    for (const [text, message] of cases) {
      fs.writeFileSync(statefile, text);
      for (const args of [
        ['enter', '--', 'true'],
        ['status'],
        ['setup', 'ml-test', '--no-enter'],
        ['update']
      ]) {
        const result = mlc(a, args);
        expect(result.code).toBe(2);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(message);
      }
      expect(containerExists(container.id)).toBe(true);
      expect(fs.readFileSync(statefile, 'utf-8')).toBe(text);
    }
    expect(fs.existsSync('/tmp/mlc-sourced')).toBe(false);
    fs.writeFileSync(statefile, before);
  });

  it('says in one line: unknown image, unknown engine, engine not installed, work dir not writable', () => {
    const c = workdir('wd-c');
    const unknown = mlc(c, ['setup', 'ml-nonesuch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no image "ml-nonesuch".*ml-test/);
    const engine = mlc(c, ['setup', 'ml-test', '--lxc']);
    expect(engine.code).toBe(2);
    expect(engine.stderr.trim().split('\n')).toHaveLength(1);
    const missing = mlc(c, ['setup', 'ml-test', '--nerdctl'], {
      env: { PATH: '/usr/bin:/bin' }
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nerdctl is not installed/);
    const down = mlc(c, ['setup', 'ml-down', '--podman', '--no-enter']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach 127\.0\.0\.1:9/);
    for (const result of [unknown, engine, missing, down]) {
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(fs.readdirSync(c)).toEqual([]);
    fs.chmodSync(c, 0o555);
    const readOnly = runMlc(['setup', 'ml-test'], {
      cwd: c,
      env,
      unprivileged: true
    });
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toMatch(/is not writable/);
    expect(fs.readdirSync(c)).toEqual([]);
  });

  it('updates: says so without -f; with -f keeps the old container until the new one has the user packages', () => {
    const a = workdirs[0];
    const wheels = path.join(a, 'wheels');
    buildWheel(wheels, 'mlc_added_pkg', '1.2.3');
    const installed = mlc(a, [
      'enter',
      '--',
      'python3',
      '-m',
      'pip',
      'install',
      '--no-index',
      '--find-links',
      wheels,
      'mlc_added_pkg'
    ]);
    expect(installed.code).toBe(0);
    const status = mlc(a, ['--json', 'status']);
    expect(status.code).toBe(0);
    expect((resultOf(status.stdout).added as { pip: unknown[] }).pip).toEqual([
      { name: 'mlc_added_pkg', version: '1.2.3' }
    ]);

    expect(mlc(a, ['update']).stdout).toMatch(/^up to date/);
    push(V2, `${registry.host}/test/ml-test:latest`);
    const old = state(a);
    const check = mlc(a, ['update']);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/an update exists/);
    expect(state(a).setupId).toBe(old.setupId);

    // A conda package the new image cannot install (it has no conda installer): the update fails, the old one stays.
    const history = '/opt/conda/conda-meta/history';
    const when = new Date(Date.now() + 60000)
      .toISOString()
      .slice(0, 19)
      .replace('T', ' ');
    expect(
      mlc(a, [
        'enter',
        '--',
        'sh',
        '-c',
        `cp ${history} ${history}.keep && printf '==> ${when} <==\\n# cmd: micromamba install dask\\n# update specs: ["dask"]\\n+conda-forge::dask-2023.5.0-pyhd8ed1ab_0\\n' >> ${history}`
      ]).code
    ).toBe(0);
    const failed = mlc(a, ['update', '-f'], {
      env: { PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels }
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /update failed: finding the conda installer failed.*the old container is unchanged/
    );
    expect(state(a).setupId).toBe(old.setupId);
    expect(containerExists(old.container.id)).toBe(true);
    const strays = spawnSync(
      'podman',
      [
        ...PODMAN_GLOBAL,
        'ps',
        '-aq',
        '--filter',
        `label=${LABEL}=${createHash('sha256').update(fs.realpathSync(a)).digest('hex')}`
      ],
      { encoding: 'utf-8' }
    )
      .stdout.split('\n')
      .filter(Boolean);
    expect(strays).toHaveLength(1);

    expect(mlc(a, ['enter', '--', 'mv', `${history}.keep`, history]).code).toBe(
      0
    );
    const updated = mlc(a, ['--json', 'update', '-f'], {
      env: { PIP_NO_INDEX: '1', PIP_FIND_LINKS: wheels }
    });
    expect(updated.code).toBe(0);
    expect(resultOf(updated.stdout)).toMatchObject({
      updated: true,
      reinstalled: { pip: ['mlc_added_pkg==1.2.3'] }
    });
    const fresh = state(a);
    expect(fresh.container.id).not.toBe(old.container.id);
    expect(containerExists(old.container.id)).toBe(false);
    const inNew = mlc(a, [
      'enter',
      '--',
      'sh',
      '-c',
      'cat /etc/mlc-test-generation && python3 -c "import mlc_added_pkg; print(mlc_added_pkg.__version__)"'
    ]);
    expect(inNew.stdout.split('\n')).toEqual(['2', '1.2.3', '']);
    expect(mlc(a, ['update']).stdout).toMatch(/^up to date/);
  });

  it('refuses a state file copied from another directory; -f sets up anew and removes nothing it names; setup then enters', () => {
    const a = workdirs[0];
    const copy = workdir('wd-copy');
    fs.copyFileSync(
      path.join(a, '.mlc-container.json'),
      path.join(copy, '.mlc-container.json')
    );
    const { container } = state(a);
    const refused = mlc(copy, ['enter', '--', 'true']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/was written for another directory/);
    // Human mode: set up, then straight into the shell (stdin here), whose status mlc returns.
    const fresh = mlc(copy, ['setup', 'ml-test', '-f'], { input: 'exit 6\n' });
    expect(fresh.code).toBe(6);
    expect(fresh.stderr).toMatch(
      /ignoring the state file here.*nothing it names is removed/
    );
    expect(fresh.stdout).toMatch(/set up ml-test:latest with podman/);
    expect(containerExists(container.id)).toBe(true);
    expect(state(copy).container.id).not.toBe(container.id);
  });

  it('replaces with -f only after the new container exists, and removes only the container it recorded', () => {
    const b = workdirs[1];
    const old = state(b);
    // A container that carries this directory's label but was not recorded: never removed.
    const foreign = podman([
      'create',
      ...PODMAN_LIMITS,
      '--label',
      `${LABEL}=${createHash('sha256').update(fs.realpathSync(b)).digest('hex')}`,
      '--entrypoint',
      'true',
      V1
    ]).trim();
    const replaced = mlc(b, ['--json', 'setup', 'ml-other', '-f']);
    expect(replaced.code).toBe(0);
    expect(containerExists(old.container.id)).toBe(false);
    expect(containerExists(foreign)).toBe(true);
    expect(containerExists(state(b).container.id)).toBe(true);
    podman(['rm', '-f', foreign]);
  });
});
