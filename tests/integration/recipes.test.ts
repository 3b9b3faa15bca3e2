/**
 * The image recipes built for real, here: conda-forge and Docker Hub are
 * not reachable, so scripts/build-image.sh builds images/ml-pyroot's
 * Containerfile with podman from the Debian base the container tests make
 * (--base-image), with its package step switched to a local source
 * (PKG_SOURCE=local: the test prefix copied in). The local source stands in
 * for conda-forge's ROOT with what the repairs act on: a root-config-shaped
 * script, the env's libz, and an executable and a shared object compiled
 * here by gcc with the RPATH/RUNPATH conda-forge leaves (/opt/conda/lib and
 * a feedstock build dir besides $ORIGIN); AlmaLinux's dnf step is skipped.
 * Every mlc step runs inside the build; the checks run in the built image.
 */
import {
  execFileSync,
  spawn,
  spawnSync,
  type ChildProcess
} from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { runCommand } from '../harness/mlc';
import { makeScratch, REPO } from '../harness/paths';
import { copyTestPrefix, testImagePrefixInfo } from '../harness/prefix';
import { makeTestBaseImage } from '../harness/testImage';

const BASE_IMAGE = 'localhost/mlc-debian:bookworm';
const TAG = `test-${process.pid}`;
const IMAGE = `localhost/ml-pyroot:${TAG}`;
const GLOBAL = ['--runtime', 'runc'];
const LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
const ENGINE_ENV = {
  ENGINE_GLOBAL_FLAGS: GLOBAL.join(' '),
  ENGINE_BUILD_FLAGS: LIMITS.join(' '),
  ENGINE_RUN_FLAGS: LIMITS.join(' ')
};
const BUILD_DIR =
  '/home/conda/feedstock_root/build_artifacts/root_base_1/_build_env/lib';
const FIRST_LINE = 'For the content in this container,';

let scratch: { dir: string; cleanup: () => void };
let localPrefix: string;
let python: string;

/** podman run the built image (non-interactive, no network). */
function inImage(
  command: string[],
  flags: string[] = []
): { code: number; stdout: string; stderr: string } {
  return runCommand(
    'podman',
    [
      ...GLOBAL,
      'run',
      '--rm',
      '--network',
      'none',
      ...LIMITS,
      ...flags,
      IMAGE,
      ...command
    ],
    {
      timeoutMs: 120000
    }
  );
}

function buildImage(args: string[]): {
  code: number;
  stdout: string;
  stderr: string;
} {
  return runCommand(
    'bash',
    [path.join(REPO, 'scripts', 'build-image.sh'), ...args],
    { env: ENGINE_ENV, timeoutMs: 900000 }
  );
}

/** The stand-ins for ROOT from conda-forge, in the local package source. */
function addRootStandIns(prefix: string): void {
  const src = path.join(scratch.dir, 'src');
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(
    path.join(src, 'probe.c'),
    'int probe(void) { return 42; }\n'
  );
  fs.writeFileSync(
    path.join(src, 'main.c'),
    '#include <stdio.h>\nint probe(void);\nint main(void) { printf("probe=%d\\n", probe()); return 0; }\n'
  );
  const gcc = (args: string[]) =>
    execFileSync('gcc', args, { stdio: 'pipe', timeout: 60000 });
  gcc([
    '-shared',
    '-fPIC',
    path.join(src, 'probe.c'),
    '-o',
    path.join(prefix, 'lib', 'libprobe.so'),
    `-Wl,--disable-new-dtags,-rpath,/opt/conda/lib:$ORIGIN:${BUILD_DIR}`
  ]);
  gcc([
    path.join(src, 'main.c'),
    '-o',
    path.join(prefix, 'bin', 'probe'),
    `-L${prefix}/lib`,
    '-lprobe',
    `-Wl,--enable-new-dtags,-rpath,/opt/conda/lib:$ORIGIN/../lib:${BUILD_DIR}`
  ]);
  const libz = [
    '/usr/lib/x86_64-linux-gnu/libz.so.1',
    '/lib/x86_64-linux-gnu/libz.so.1'
  ].find(f => fs.existsSync(f));
  fs.copyFileSync(libz as string, path.join(prefix, 'lib', 'libz.so.1'));
  // root-config's shape (variables, rootlibs, the end-of-settings line, a --libs branch); our own text.
  fs.writeFileSync(
    path.join(prefix, 'bin', 'root-config'),
    [
      '#!/bin/sh',
      'libdir=/opt/conda/lib',
      'newlib="-lNew"',
      'rootlibs="-lCore -lRIO -lHist -lTree -lMathCore"',
      'auxlibs="-lm -ldl -rdynamic"',
      '### end of machine and compiler dependent settings ###',
      'case $1 in',
      '    --libs)',
      '      echo "-L${libdir} $rootlibs ${auxlibs}" ;;',
      'esac',
      ''
    ].join('\n'),
    { mode: 0o755 }
  );
}

beforeAll(() => {
  scratch = makeScratch('recipes');
  if (
    spawnSync('podman', [...GLOBAL, 'image', 'exists', BASE_IMAGE]).status !== 0
  ) {
    // The container tests' script makes the Debian base on first use.
    makeTestBaseImage();
  }
  localPrefix = copyTestPrefix(path.join(scratch.dir, 'local-prefix')).prefix;
  python = testImagePrefixInfo().python;
  addRootStandIns(localPrefix);
  const built = buildImage([
    'ml-pyroot',
    '--mlc',
    'bundle',
    '--py',
    python.split('.').slice(0, 2).join('.'),
    '--tag',
    TAG,
    '--base-image',
    BASE_IMAGE,
    '--local-prefix',
    localPrefix
  ]);
  if (built.code !== 0) {
    throw new Error(
      `build-image.sh failed (${built.code}):\n${built.stderr.slice(-3000)}`
    );
  }
}, 1200000);

let registry: ChildProcess | null = null;

afterAll(() => {
  registry?.kill('SIGTERM');
  spawnSync('podman', [...GLOBAL, 'rmi', '--force', IMAGE], {
    stdio: 'ignore',
    timeout: 120000
  });
  scratch?.cleanup();
});

/** A TCP port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Poll GET /v2/ until the registry answers (at most 30 s). */
async function waitForRegistry(port: number): Promise<void> {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>(resolve => {
      const request = http.get(
        { host: '127.0.0.1', port, path: '/v2/', timeout: 2000 },
        response => {
          response.resume();
          resolve(response.statusCode === 200);
        }
      );
      request.on('error', () => resolve(false));
      request.on('timeout', () => {
        request.destroy();
        resolve(false);
      });
    });
    if (ok) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  throw new Error(
    `the local registry on port ${port} did not answer within 30 s`
  );
}

describe('images/ml-pyroot built by scripts/build-image.sh from a local package source', () => {
  it('carries the image.json facts and the recipe OCI labels', () => {
    const inspect = execFileSync(
      'podman',
      [...GLOBAL, 'image', 'inspect', IMAGE],
      { encoding: 'utf-8' }
    );
    const labels = JSON.parse(inspect)[0].Labels as Record<string, string>;
    const imageJson = JSON.parse(inImage(['cat', '/image.json']).stdout);
    expect(labels['io.github.ml-containers.name']).toBe('ml-pyroot');
    expect(labels['io.github.ml-containers.tag']).toBe(TAG);
    expect(labels['io.github.ml-containers.python']).toBe(imageJson.python);
    expect(
      labels['io.github.ml-containers.python'].startsWith(`${python}.`)
    ).toBe(true);
    expect(labels['io.github.ml-containers.os']).toMatch(/Debian/);
    expect(labels['io.github.ml-containers.build-date']).toBe(
      imageJson.buildDate
    );
    expect(labels['io.github.ml-containers.package-count']).toBe(
      String(imageJson.packages.length)
    );
    expect(labels['org.opencontainers.image.title']).toBe('ml-pyroot');
    expect(labels['org.opencontainers.image.version']).toBe(TAG);
    expect(labels['org.opencontainers.image.description']).toMatch(/PyROOT/);
  });

  it('shows the same labels to skopeo through a local registry', async () => {
    // Debian's docker-registry (distribution 2.8) on a free port, storage in the scratch dir.
    const port = await freePort();
    const config = path.join(scratch.dir, 'registry.yml');
    fs.writeFileSync(
      config,
      `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(scratch.dir, 'registry')}\nhttp:\n  addr: 127.0.0.1:${port}\n`
    );
    registry = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
    await waitForRegistry(port);
    const remote = `127.0.0.1:${port}/ml-pyroot:${TAG}`;
    execFileSync(
      'podman',
      [...GLOBAL, 'push', '--quiet', '--tls-verify=false', IMAGE, remote],
      { stdio: 'pipe', timeout: 300000 }
    );
    const inspected = JSON.parse(
      execFileSync(
        'skopeo',
        ['inspect', '--tls-verify=false', `docker://${remote}`],
        { encoding: 'utf-8', timeout: 120000 }
      )
    );
    const local = JSON.parse(
      execFileSync('podman', [...GLOBAL, 'image', 'inspect', IMAGE], {
        encoding: 'utf-8'
      })
    )[0].Labels;
    expect(inspected.Labels['io.github.ml-containers.name']).toBe('ml-pyroot');
    expect(inspected.Labels).toEqual(local);
  });

  it('has the image kernels, found through JUPYTER_PATH, and the manifest', () => {
    const listed = inImage([
      'python3',
      '-m',
      'jupyter_client.kernelspecapp',
      'list',
      '--json'
    ]);
    expect(listed.code).toBe(0);
    const specs = JSON.parse(listed.stdout).kernelspecs;
    expect(specs.python3.resource_dir).toBe(
      '/opt/conda/share/jupyter/kernels/python3'
    );
    expect(specs.python3.spec.display_name).toBe('ML-Python3');
    expect(specs['python3-usersite'].spec.display_name).toBe(
      'ML-Python3-usersite'
    );
    const list = inImage(['cat', '/list-of-pkgs-inside.txt']).stdout;
    const names = list
      .trim()
      .split('\n')
      .map(line => line.split(/\s+/)[0].toLowerCase());
    expect(names).toEqual(
      expect.arrayContaining(['python', 'ipykernel', 'bash'])
    );
  });

  it('repaired the RPATH of the ELF files compiled for it, which still run', () => {
    for (const [file, tag, expected] of [
      ['lib/libprobe.so', 'rpath', '$ORIGIN'],
      ['bin/probe', 'runpath', '$ORIGIN/../lib']
    ]) {
      const copy = path.join(scratch.dir, path.basename(file));
      fs.writeFileSync(
        copy,
        execFileSync('podman', [
          ...GLOBAL,
          'run',
          '--rm',
          '--network',
          'none',
          ...LIMITS,
          IMAGE,
          'cat',
          `/opt/conda/${file}`
        ])
      );
      const dynamic = execFileSync('readelf', ['-d', copy], {
        encoding: 'utf-8'
      });
      expect(dynamic).toContain(`Library ${tag}: [${expected}]`);
      // Same size as compiled: the string was rewritten in place.
      expect(fs.statSync(copy).size).toBe(
        fs.statSync(path.join(localPrefix, file)).size
      );
    }
    expect(
      inImage(['/opt/conda/bin/probe'], ['-e', 'LD_LIBRARY_PATH=']).stdout
    ).toBe('probe=42\n');
    expect(
      inImage(['root-config', '--libs']).stdout.trim().split(/\s+/)
    ).toContain('-lz');
  });

  it("shows the banner to an interactive shell on a terminal, and never on a command's output", () => {
    const quiet = inImage(['python', '-c', 'print(1)']);
    expect(quiet.stdout).toBe('1\n');
    expect(quiet.stderr).not.toContain(FIRST_LINE);
    const command = [
      'podman',
      ...GLOBAL,
      'run',
      '--rm',
      '-it',
      '--network',
      'none',
      ...LIMITS,
      IMAGE
    ].join(' ');
    const session = spawnSync('script', ['-qec', command, '/dev/null'], {
      input: 'exit\n',
      encoding: 'utf-8',
      timeout: 120000
    });
    expect(session.stdout).toContain(FIRST_LINE);
    expect(session.stdout).toContain(`ml-pyroot:${TAG} (Python ${python}`);
    expect(session.stdout).toContain(
      'please read the file /list-of-pkgs-inside.txt'
    );
    const bashQuiet = inImage(['bash', '-lc', 'echo 1']);
    expect(bashQuiet.stdout).toBe('1\n');
  });

  it("extends the image env with the seed's /create-newEnv-on-base.sh", () => {
    const work = path.join(scratch.dir, 'work');
    fs.mkdirSync(work, { recursive: true });
    const made = inImage(
      [
        'bash',
        '-c',
        'source /create-newEnv-on-base.sh -p myEnv --no-kernel >/dev/null && python -c "import sys, IPython; print(sys.prefix, IPython.__file__)"'
      ],
      ['-v', `${work}:/work`, '-w', '/work', '-e', 'HOME=/work']
    );
    expect(made.code).toBe(0);
    const [prefix, ipython] = made.stdout.trim().split('\n').pop()!.split(' ');
    expect(prefix).toBe('/work/myEnv');
    expect(ipython.startsWith('/opt/conda/lib/')).toBe(true);
    expect(fs.existsSync(path.join(work, 'myEnv', 'pyvenv.cfg'))).toBe(true);
  });

  it('refuses a Python version the recipes do not support, and one the local source lacks, in one line', () => {
    const bad = buildImage(['ml-base', '--py', '3.10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'build-image: error: --py 3.10 is not supported; use 3.9, 3.11 or 3.12\n'
    );
    const other = python.startsWith('3.12') ? '3.11' : '3.12';
    const mismatch = buildImage([
      'ml-base',
      '--mlc',
      'bundle',
      '--py',
      other,
      '--tag',
      `${TAG}-bad`,
      '--base-image',
      BASE_IMAGE,
      '--local-prefix',
      localPrefix
    ]);
    expect(mismatch.code).not.toBe(0);
    expect(mismatch.stderr + mismatch.stdout).toContain(
      `build-env: error: the local prefix has Python ${python.split('.').slice(0, 2).join('.')}, not PyVer=${other}`
    );
    expect(
      spawnSync('podman', [
        ...GLOBAL,
        'image',
        'exists',
        `localhost/ml-base:${TAG}-bad`
      ]).status
    ).not.toBe(0);
  });
});
