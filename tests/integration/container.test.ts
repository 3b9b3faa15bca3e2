/**
 * The image build path for real: a podman image built from a Debian base
 * with the test prefix at /opt/conda, where `mlc image manifest` and `mlc
 * kernels install` ran inside the build and the Dockerfile ENV line came
 * from `mlc kernels env --format docker`. Containers run with a read-only
 * root file system, as the images do from CVMFS.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCommand, type IRunResult } from '../harness/mlc';
import { makeScratch } from '../harness/paths';
import { testImagePrefix } from '../harness/prefix';
import { buildWheel } from '../harness/unprivilegedBase';
import { makeTestBaseImage, TEST_BASE_IMAGE } from '../harness/testImage';

const IMAGE = TEST_BASE_IMAGE;
const PODMAN = ['--runtime', 'runc'];
const RUN_FLAGS = [
  'run',
  '--rm',
  '--read-only',
  '--network',
  'none',
  '--ulimit',
  'nofile=1024:1024',
  '--ulimit',
  'nproc=1024:1024'
];

/** `podman run` the test image with extra flags, then a command. */
function inContainer(flags: string[], command: string[]): IRunResult {
  return runCommand(
    'podman',
    [...PODMAN, ...RUN_FLAGS, ...flags, IMAGE, ...command],
    {
      timeoutMs: 120000
    }
  );
}

/** Run bash code in the container (the code is ours, never user text). */
function bashIn(flags: string[], code: string): IRunResult {
  return inContainer(flags, ['bash', '-c', code]);
}

let scratch: { dir: string; cleanup: () => void };

beforeAll(() => {
  scratch = makeScratch('container');
  makeTestBaseImage(600000);
}, 900000);

afterAll(() => {
  scratch?.cleanup();
});

describe('an image built with mlc, run by podman', () => {
  it('lists the image kernels first, from JUPYTER_PATH set by the ENV line', () => {
    // A stray user kernel named python3, as hubs leave in ~/.local/share/jupyter.
    const home = path.join(scratch.dir, 'home-kernels');
    const stray = path.join(
      home,
      '.local',
      'share',
      'jupyter',
      'kernels',
      'python3'
    );
    fs.mkdirSync(stray, { recursive: true });
    fs.writeFileSync(
      path.join(stray, 'kernel.json'),
      JSON.stringify({
        argv: [
          '/usr/bin/python3',
          '-m',
          'ipykernel_launcher',
          '-f',
          '{connection_file}'
        ],
        display_name: 'Stray',
        language: 'python'
      })
    );
    const result = inContainer(
      ['-v', `${home}:/home/u:ro`, '-e', 'HOME=/home/u'],
      ['python3', '-m', 'jupyter_client.kernelspecapp', 'list', '--json']
    );
    expect(result.code).toBe(0);
    const specs = JSON.parse(result.stdout).kernelspecs as Record<
      string,
      { resource_dir: string; spec: { display_name: string } }
    >;
    expect(specs['python3'].resource_dir).toBe(
      '/opt/conda/share/jupyter/kernels/python3'
    );
    expect(specs['python3'].spec.display_name).toBe('ML-Python3');
    expect(specs['python3-usersite'].spec.display_name).toBe(
      'ML-Python3-usersite'
    );
  });

  it('starts ML-Python3 on the image interpreter with a host python3.X first on PATH', () => {
    const decoy = path.join(scratch.dir, 'decoy');
    fs.mkdirSync(decoy, { recursive: true });
    const version = fs
      .readdirSync(path.join(testImagePrefix(), 'bin'))
      .find(name => /^python3\.\d+$/.test(name)) as string;
    fs.writeFileSync(
      path.join(decoy, version),
      '#!/bin/sh\necho DECOY >&2\nexit 1\n',
      { mode: 0o755 }
    );
    fs.writeFileSync(
      path.join(decoy, 'probe.py'),
      'import sys\nprint("EXE=" + sys.executable)\n'
    );
    const result = inContainer(
      [
        '-v',
        `${decoy}:/host/bin:ro`,
        '-e',
        'PATH=/host/bin:/opt/conda/bin:/usr/bin:/bin',
        '-e',
        'HOME=/tmp',
        '--tmpfs',
        '/tmp'
      ],
      [
        '/opt/conda/bin/' + version,
        '-m',
        'jupyter_client.runapp',
        '--kernel',
        'python3',
        '/host/bin/probe.py'
      ]
    );
    expect(result.stdout).toContain(`EXE=/opt/conda/bin/${version}`);
    expect(result.stdout + result.stderr).not.toContain('DECOY');
  });

  it('wrote the manifest and image.json during the build, with the system packages', () => {
    const result = bashIn(
      [],
      'cat /list-of-pkgs-inside.txt; echo ===; cat /opt/conda/share/jupyter/kernels/python3/image.json'
    );
    const [list, imageJson] = result.stdout.split('===\n');
    const names = list
      .trim()
      .split('\n')
      .map(line => line.split(' ')[0].toLowerCase());
    expect(names).toEqual(
      expect.arrayContaining(['python', 'ipykernel', 'bash', 'nodejs'])
    );
    const image = JSON.parse(imageJson);
    expect(image.name).toBe('ml-test');
    expect(image.os).toMatch(/Debian/);
    expect(
      image.packages.some(
        (p: { name: string; source: string }) =>
          p.name === 'bash' && p.source === 'system'
      )
    ).toBe(true);
  });

  it('sets JUPYTER_PATH through the Apptainer env file', () => {
    const result = bashIn(
      ['-e', 'JUPYTER_PATH='],
      'unset JUPYTER_PATH; . /.singularity.d/env/90-ml-containers.sh; echo "JP=$JUPYTER_PATH"'
    );
    expect(result.stdout).toContain('JP=/opt/conda/share/jupyter');
  });

  it("extends the read-only image env with the seed's entry point, and re-enters it in a new container", () => {
    // The user's work area, bind-mounted writable as $HOME is on a hub.
    const work = path.join(scratch.dir, 'work');
    fs.mkdirSync(path.join(work, 'wheels'), { recursive: true });
    buildWheel(path.join(work, 'wheels'), 'mlcprobe', '3.1');
    const mounts = ['-v', `${work}:/work`, '-e', 'HOME=/work', '-w', '/work'];

    const created = bashIn(
      mounts,
      [
        'source /create-newEnv-on-base.sh -p myEnv --no-kernel >/dev/null',
        'python -m pip install -q --no-index --find-links /work/wheels mlcprobe',
        'python -c "import sys, mlcprobe, IPython; print(sys.prefix, mlcprobe.__version__, IPython.__file__)"'
      ].join(' && ')
    );
    expect(created.stderr).not.toMatch(/error/i);
    const [prefix, version, ipython] = created.stdout
      .trim()
      .split('\n')
      .pop()!
      .split(' ');
    expect(prefix).toBe('/work/myEnv');
    expect(version).toBe('3.1');
    expect(ipython.startsWith('/opt/conda/lib/')).toBe(true);
    // The package went into the env, on the user's side of the mount.
    expect(
      fs
        .readdirSync(path.join(work, 'myEnv', 'lib'))
        .some(name => name.startsWith('python3'))
    ).toBe(true);

    const again = bashIn(
      mounts,
      'source /work/myEnv/setupMe-on-host.sh >/dev/null && python -c "import sys, mlcprobe; print(sys.prefix, mlcprobe.__version__)"'
    );
    expect(again.stdout.trim().split('\n').pop()).toBe('/work/myEnv 3.1');
    // The image never had it.
    const image = bashIn(
      [],
      '/opt/conda/bin/python3 -c "import mlcprobe" 2>&1 || echo ABSENT'
    );
    expect(image.stdout).toContain('ABSENT');
  });
});
