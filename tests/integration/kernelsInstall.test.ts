/**
 * `mlc kernels install` and `mlc kernels env` against a real Python prefix:
 * the specs it writes, that a real kernel starts from them and a real
 * server serves their logos and image.json, and that bash, zsh, sh and tcsh
 * really get JUPYTER_PATH from the scripts it writes, also when the prefix
 * tree is moved to a path with a space in it.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseImageMetadata } from '../../src/core/imageMetadata';
import { imageKernelSpecs, type PythonMinor } from '../../src/core/kernelspec';
import {
  getJson,
  isolatedJupyterEnv,
  runWithJupyterClient,
  startJupyterServer,
  stopJupyterServer
} from '../harness/jupyter';
import { runCommand, runMlc, type IRunResult } from '../harness/mlc';
import { makeScratch, REPO, VENV } from '../harness/paths';
import { copyTestPrefix, copyTree } from '../harness/prefix';
import { filesOf, imageJsonFor } from './kernelsFixture';

const LOGOS = ['logo-svg.svg', 'logo-32x32.png', 'logo-64x64.png'];
const SH_SHELLS = ['bash', 'zsh', 'sh'];
const IMAGE_JSON = 'image.json';

/**
 * Python: watch KERNELS/NAME... with inotify (ctypes; no package needed),
 * print `ready`, and at end of stdin a JSON report: how many times a
 * kernel.json was renamed over, and every event that took a kernel
 * directory or its kernel.json away (a gap, however short).
 */
const KERNEL_WATCHER = `
import ctypes, ctypes.util, json, os, select, struct, sys
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
MOVED_FROM, MOVED_TO, DELETE, DELETE_SELF, MOVE_SELF = 0x40, 0x80, 0x200, 0x400, 0x800
fd = libc.inotify_init1(os.O_NONBLOCK)
kernels, names = sys.argv[1], sys.argv[2:]
top = libc.inotify_add_watch(fd, kernels.encode(), MOVED_FROM | DELETE)
dirs = {libc.inotify_add_watch(fd, os.path.join(kernels, n).encode(), MOVED_FROM | MOVED_TO | DELETE | DELETE_SELF | MOVE_SELF): n for n in names}
assert top >= 0 and min(dirs) >= 0
report = {"replaced": 0, "gaps": []}
def drain():
    while True:
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return
        at = 0
        while at < len(data):
            wd, mask, _, size = struct.unpack_from("iIII", data, at)
            name = data[at + 16:at + 16 + size].rstrip(b"\\0").decode()
            at += 16 + size
            if wd == top and name in names:
                report["gaps"].append(f"{name} {mask:#x} in kernels/")
            elif wd in dirs and mask & (DELETE_SELF | MOVE_SELF):
                report["gaps"].append(f"{dirs[wd]} {mask:#x} itself")
            elif wd in dirs and name == "kernel.json" and mask & (MOVED_FROM | DELETE):
                report["gaps"].append(f"{dirs[wd]}/kernel.json {mask:#x}")
            elif wd in dirs and name == "kernel.json" and mask & MOVED_TO:
                report["replaced"] += 1
print("ready", flush=True)
while True:
    readable = select.select([fd, 0], [], [])[0]
    drain()
    if 0 in readable and not os.read(0, 4096):
        drain()
        print(json.dumps(report), flush=True)
        break
`;

let scratch: { dir: string; cleanup: () => void };
let prefix: string;
let python: PythonMinor;
let imageFile: string;
let apptainerDir: string;
let firstRun: IRunResult;

beforeAll(() => {
  scratch = makeScratch('kernels-install');
  ({ prefix, python } = copyTestPrefix(
    path.join(scratch.dir, 'image-root', 'opt', 'conda')
  ));
  imageFile = path.join(scratch.dir, 'image.json');
  fs.writeFileSync(imageFile, JSON.stringify(imageJsonFor(prefix, python)));
  apptainerDir = path.join(scratch.dir, 'image-root', '.singularity.d', 'env');
  fs.mkdirSync(apptainerDir, { recursive: true });
  firstRun = runMlc([
    'kernels',
    'install',
    '--prefix',
    prefix,
    '--image',
    imageFile,
    '--apptainer-env-dir',
    apptainerDir
  ]);
});

afterAll(() => {
  scratch?.cleanup();
});

/** The pid of a process that has exited (so no live process has it, for a while at least). */
function spawnedPid(): number {
  const child = spawnSync('true');
  return child.pid as number;
}

/** A shell run with nothing of the test runner's environment but what is given. */
function cleanShell(
  shell: string[],
  script: string,
  env: Record<string, string>
): string[] {
  const vars = Object.entries({
    PATH: '/usr/bin:/bin',
    HOME: scratch.dir,
    ...env
  }).map(([name, value]) => `${name}=${value}`);
  const result = runCommand('env', ['-i', ...vars, ...shell, script]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout.split('\n').slice(0, -1);
}

const shCommand = (shell: string) => [shell, '-c'];
const cshCommand = ['tcsh', '-f', '-c'];

describe('mlc kernels install', () => {
  it('writes both specs exactly as the core builds them, with the logos and image.json', () => {
    expect(firstRun.stderr).toBe('');
    expect(firstRun.code).toBe(0);
    const image = parseImageMetadata(fs.readFileSync(imageFile, 'utf-8'));
    if (!image.ok) {
      throw new Error(image.error);
    }
    const expected = imageKernelSpecs({ prefix, python, image: image.value });
    for (const [name, spec] of Object.entries(expected)) {
      const dir = path.join(prefix, 'share', 'jupyter', 'kernels', name);
      // Exactly these files: the ipykernel spec the prefix had before is gone.
      expect(fs.readdirSync(dir).sort()).toEqual(
        [...LOGOS, 'image.json', 'kernel.json'].sort()
      );
      expect(
        JSON.parse(fs.readFileSync(path.join(dir, 'kernel.json'), 'utf-8'))
      ).toEqual(spec);
      expect(
        JSON.parse(fs.readFileSync(path.join(dir, 'image.json'), 'utf-8'))
      ).toEqual(image.value);
      for (const logo of LOGOS) {
        expect(fs.readFileSync(path.join(dir, logo))).toEqual(
          fs.readFileSync(path.join(REPO, 'kernelspecs', logo))
        );
      }
      expect(fs.statSync(dir).mode & 0o777).toBe(0o755);
      expect(fs.statSync(path.join(dir, 'kernel.json')).mode & 0o777).toBe(
        0o644
      );
    }
    expect(expected.python3.argv.slice(0, 3)).toEqual([
      '/usr/bin/env',
      `python${python}`,
      '-s'
    ]);
    expect(expected['python3-usersite'].argv).not.toContain('-s');
  });

  it('gives identical files when run again, and leaves nothing staged behind', () => {
    const written = () => ({
      python3: filesOf(
        path.join(prefix, 'share', 'jupyter', 'kernels', 'python3')
      ),
      usersite: filesOf(
        path.join(prefix, 'share', 'jupyter', 'kernels', 'python3-usersite')
      ),
      activate: filesOf(path.join(prefix, 'etc', 'conda', 'activate.d')),
      deactivate: filesOf(path.join(prefix, 'etc', 'conda', 'deactivate.d')),
      host: filesOf(path.join(prefix, 'etc', 'ml-containers')),
      apptainer: filesOf(apptainerDir)
    });
    const before = written();
    const again = runMlc([
      'kernels',
      'install',
      '--prefix',
      prefix,
      '--image',
      imageFile,
      '--apptainer-env-dir',
      apptainerDir
    ]);
    expect(again.code).toBe(0);
    expect(written()).toEqual(before);
    expect(
      fs.readdirSync(path.join(prefix, 'share', 'jupyter', 'kernels')).sort()
    ).toEqual(['python3', 'python3-usersite']);
    expect(
      fs
        .readdirSync(path.join(prefix, 'etc', 'ml-containers'))
        .filter(name => name.startsWith('.'))
    ).toEqual([]);
  });

  it("keeps a killed run's staging out of Jupyter's sight, and clears it on the next run", () => {
    // What an install killed mid-write leaves: a half-written spec in its staging directory.
    const deadPid = spawnedPid();
    const kernelsDir = path.join(prefix, 'share', 'jupyter', 'kernels');
    const leftover = path.join(kernelsDir, `.mlc-staging-${deadPid}`);
    fs.mkdirSync(path.join(leftover, 'python3'), { recursive: true });
    fs.writeFileSync(
      path.join(leftover, 'python3', 'kernel.json'),
      '{"argv": ["/usr/bin/env", "pyth'
    );
    const env = isolatedJupyterEnv(path.join(scratch.dir, 'staging-list'), {
      jupyterPath: [path.join(prefix, 'share', 'jupyter')],
      path: [path.join(VENV, 'bin'), '/usr/bin', '/bin']
    });
    const vars = Object.entries(env).map(([name, value]) => `${name}=${value}`);
    const listed = runCommand('env', [
      '-i',
      ...vars,
      path.join(VENV, 'bin', 'jupyter'),
      'kernelspec',
      'list',
      '--json'
    ]);
    expect(listed.code).toBe(0);
    const names = Object.entries(
      JSON.parse(listed.stdout).kernelspecs as Record<
        string,
        { resource_dir: string }
      >
    )
      .filter(([, spec]) => spec.resource_dir.startsWith(kernelsDir))
      .map(([name]) => name);
    expect(names.sort()).toEqual(['python3', 'python3-usersite']);
    expect(
      runMlc(['kernels', 'install', '--prefix', prefix, '--image', imageFile])
        .code
    ).toBe(0);
    expect(fs.existsSync(leftover)).toBe(false);
  });

  it('replaces an installed kernel without a moment where it or its kernel.json is missing', async () => {
    // inotify sees every event, however short the gap: the kernel directory
    // moved or removed from kernels/, or kernel.json moved or removed from it.
    const kernelsDir = path.join(prefix, 'share', 'jupyter', 'kernels');
    const watcher = spawn(
      path.join(VENV, 'bin', 'python'),
      ['-c', KERNEL_WATCHER, kernelsDir, 'python3', 'python3-usersite'],
      { stdio: ['pipe', 'pipe', 'inherit'] }
    );
    let output = '';
    const ready = new Promise<void>(resolve =>
      watcher.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('ready\n')) {
          resolve();
        }
      })
    );
    const ended = new Promise<number | null>(resolve =>
      watcher.on('close', resolve)
    );
    await ready;
    // Without and with --image: image.json goes and comes, kernel.json stays.
    for (const round of [0, 1, 2, 3]) {
      const args = ['kernels', 'install', '--prefix', prefix];
      const run = runMlc(round % 2 ? [...args, '--image', imageFile] : args);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    watcher.stdin.end();
    expect(await ended).toBe(0);
    const report = JSON.parse(output.split('ready\n')[1]) as {
      replaced: number;
      gaps: string[];
    };
    // Never a moment without the kernel or its kernel.json ...
    expect(report.gaps).toEqual([]);
    // ... while it watched real replaces (kernel.json renamed over, 2 kernels x 4 runs).
    expect(report.replaced).toBeGreaterThanOrEqual(8);
    expect(fs.readdirSync(path.join(kernelsDir, 'python3')).sort()).toEqual(
      [IMAGE_JSON, 'kernel.json', ...LOGOS].sort()
    );
  });

  it('reports what it wrote as a JSON result event', () => {
    const run = runMlc(['kernels', 'install', '--prefix', prefix, '--json']);
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(events[events.length - 1]).toEqual({ type: 'end', exitCode: 0 });
    const result = events.find(event => event.type === 'result');
    expect(result.data.jupyterPath).toBe(`${prefix}/share/jupyter`);
    expect(
      result.data.kernels.map((kernel: { name: string }) => kernel.name)
    ).toEqual(['python3', 'python3-usersite']);
    // Without --image the specs carry no image.json.
    expect(
      fs.existsSync(
        path.join(
          prefix,
          'share',
          'jupyter',
          'kernels',
          'python3',
          'image.json'
        )
      )
    ).toBe(false);
    // Put it back for the tests below.
    expect(
      runMlc(['kernels', 'install', '--prefix', prefix, '--image', imageFile])
        .code
    ).toBe(0);
  });

  it('starts a real kernel on the image interpreter from the installed spec (jupyter_client)', async () => {
    const env = isolatedJupyterEnv(path.join(scratch.dir, 'jupyter-client'), {
      jupyterPath: [path.join(prefix, 'share', 'jupyter')],
      path: [path.join(VENV, 'bin'), '/usr/bin', '/bin']
    });
    const run = await runWithJupyterClient(
      env,
      'python3',
      'import sys\nprint("FACTS", sys.prefix, sys.flags.no_user_site, sep="|")\n'
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`FACTS|${prefix}|1`);
  });

  it('lets a real server advertise the logos and serve image.json', async () => {
    const env = isolatedJupyterEnv(path.join(scratch.dir, 'server'), {
      jupyterPath: [path.join(prefix, 'share', 'jupyter')],
      path: [path.join(VENV, 'bin'), '/usr/bin', '/bin']
    });
    const server = await startJupyterServer({ env });
    try {
      const specs = (await getJson(server, 'api/kernelspecs')) as {
        kernelspecs: Record<
          string,
          { spec: { display_name: string }; resources: Record<string, string> }
        >;
      };
      for (const [name, display] of [
        ['python3', 'ML-Python3'],
        ['python3-usersite', 'ML-Python3-usersite']
      ]) {
        expect(specs.kernelspecs[name].spec.display_name).toBe(display);
        expect(Object.keys(specs.kernelspecs[name].resources).sort()).toEqual(
          ['logo-32x32', 'logo-64x64', 'logo-svg'].sort()
        );
      }
      expect(await getJson(server, 'kernelspecs/python3/image.json')).toEqual(
        JSON.parse(
          fs.readFileSync(
            path.join(
              prefix,
              'share',
              'jupyter',
              'kernels',
              'python3',
              'image.json'
            ),
            'utf-8'
          )
        )
      );
    } finally {
      await stopJupyterServer(server);
    }
  });
});

describe('JUPYTER_PATH in every shell', () => {
  // The tree as a host sees it under /cvmfs/unpacked.cern.ch: the image is
  // reached as `.../ml-base:TAG`, a link to a content-addressed directory.
  // Here both names hold spaces and quotes, and the link holds a ':', which
  // no PATH can: the scripts must land on the directory itself.
  let moved: string;
  let linked: string;

  beforeAll(() => {
    moved = path.join(scratch.dir, 'cvmfs copy', '.flat', "0a 1b'c");
    copyTree(prefix, moved);
    linked = path.join(scratch.dir, 'cvmfs copy', "ml-base:it's");
    fs.symlinkSync(path.join('.flat', "0a 1b'c"), linked);
  });

  const activateSh = [
    '. "$T/etc/conda/activate.d/ml-containers.sh"',
    'printf "%s\\n" "$JUPYTER_PATH"',
    '. "$T/etc/conda/deactivate.d/ml-containers.sh"',
    'printf "%s\\n" "${JUPYTER_PATH-<unset>}"'
  ].join('\n');
  const activateCsh = [
    'source "$T/etc/conda/activate.d/ml-containers.csh"',
    'printenv JUPYTER_PATH',
    'source "$T/etc/conda/deactivate.d/ml-containers.csh"',
    'if ( $?JUPYTER_PATH ) then',
    '    printenv JUPYTER_PATH',
    'else',
    '    echo "<unset>"',
    'endif'
  ].join('\n');

  it.each(SH_SHELLS)(
    'conda activation sets it in %s and deactivation restores it',
    shell => {
      for (const where of [prefix, moved]) {
        expect(
          cleanShell(shCommand(shell), activateSh, {
            T: where,
            CONDA_PREFIX: where,
            JUPYTER_PATH: '/before'
          })
        ).toEqual([`${where}/share/jupyter`, '/before']);
        expect(
          cleanShell(shCommand(shell), activateSh, {
            T: where,
            CONDA_PREFIX: where
          })
        ).toEqual([`${where}/share/jupyter`, '<unset>']);
      }
    }
  );

  it('conda activation sets it in tcsh and deactivation restores it', () => {
    for (const where of [prefix, moved]) {
      expect(
        cleanShell(cshCommand, activateCsh, {
          T: where,
          CONDA_PREFIX: where,
          JUPYTER_PATH: '/before'
        })
      ).toEqual([`${where}/share/jupyter`, '/before']);
      expect(
        cleanShell(cshCommand, activateCsh, { T: where, CONDA_PREFIX: where })
      ).toEqual([`${where}/share/jupyter`, '<unset>']);
    }
  });

  it("conda activation leaves JUPYTER_PATH alone, with one warning, for a prefix with a ':'", () => {
    const shells: Array<[string[], string]> = [
      ...SH_SHELLS.map(
        shell =>
          [
            shCommand(shell),
            '. "$T/etc/conda/activate.d/ml-containers.sh"\nprintf "%s\\n" "$JUPYTER_PATH"'
          ] as [string[], string]
      ),
      [
        cshCommand,
        'source "$T/etc/conda/activate.d/ml-containers.csh"\nprintenv JUPYTER_PATH'
      ]
    ];
    for (const [shell, script] of shells) {
      const vars = [
        `T=${linked}`,
        `CONDA_PREFIX=${linked}`,
        'JUPYTER_PATH=/before',
        'PATH=/usr/bin:/bin',
        `HOME=${scratch.dir}`
      ];
      const run = runCommand('env', ['-i', ...vars, ...shell, script]);
      expect(run.stdout).toBe('/before\n');
      expect(run.stderr.trim().split('\n')).toEqual([
        expect.stringContaining("has a ':'")
      ]);
    }
  });

  it.each(SH_SHELLS)(
    'setupMe-on-host.sh finds the prefix from its own place in %s',
    shell => {
      const script =
        '. "$T/etc/ml-containers/setupMe-on-host.sh"\nprintf "%s\\n" "$JUPYTER_PATH" "$PATH"\ncommand -v python3';
      for (const [reached, where] of [
        [prefix, prefix],
        [moved, moved],
        [linked, moved]
      ]) {
        expect(
          cleanShell(shCommand(shell), script, {
            T: reached,
            JUPYTER_PATH: '/host/value'
          })
        ).toEqual([
          `${where}/share/jupyter`,
          `${where}/bin:/usr/bin:/bin`,
          `${where}/bin/python3`
        ]);
      }
    }
  );

  it('setupMe-on-host.csh finds the prefix from its own place in tcsh', () => {
    const script =
      'source "$T/etc/ml-containers/setupMe-on-host.csh"\nprintenv JUPYTER_PATH\nprintenv PATH\nwhich python3';
    for (const [reached, where] of [
      [prefix, prefix],
      [moved, moved],
      [linked, moved]
    ]) {
      expect(cleanShell(cshCommand, script, { T: reached })).toEqual([
        `${where}/share/jupyter`,
        `${where}/bin:/usr/bin:/bin`,
        `${where}/bin/python3`
      ]);
    }
  });

  it('the Apptainer env file, in the prefix and in --apptainer-env-dir, sets it for sh', () => {
    const installed = path.join(
      prefix,
      'etc',
      'ml-containers',
      '90-ml-containers.sh'
    );
    expect(
      fs.readFileSync(path.join(apptainerDir, '90-ml-containers.sh'))
    ).toEqual(fs.readFileSync(installed));
    expect(
      cleanShell(shCommand('sh'), '. "$F"\nprintf "%s\\n" "$JUPYTER_PATH"', {
        F: installed,
        JUPYTER_PATH: '/host'
      })
    ).toEqual([`${prefix}/share/jupyter`]);
  });

  it('mlc kernels env prints lines each shell reads back exactly, quotes and all', () => {
    const weird = path.join(scratch.dir, 'we!rd $HOME \'q\' "d" \\b');
    const lines = (format: string) => {
      const run = runMlc([
        'kernels',
        'env',
        '--prefix',
        weird,
        '--format',
        format
      ]);
      expect(run.code).toBe(0);
      return run.stdout;
    };
    expect(lines('docker')).toBe(
      `ENV JUPYTER_PATH="${`${weird}/share/jupyter`.replace(/[\\"$]/g, m => `\\${m}`)}"\n`
    );
    expect(
      runMlc(['kernels', 'env', '--prefix', '/opt/conda', '--format', 'docker'])
        .stdout
    ).toBe('ENV JUPYTER_PATH=/opt/conda/share/jupyter\n');
    for (const shell of SH_SHELLS) {
      for (const format of ['sh', 'apptainer']) {
        expect(
          cleanShell(
            shCommand(shell),
            `${lines(format)}printf "%s\\n" "$JUPYTER_PATH"`,
            {}
          )
        ).toEqual([`${weird}/share/jupyter`]);
      }
    }
    expect(
      cleanShell(cshCommand, `${lines('csh')}printenv JUPYTER_PATH`, {})
    ).toEqual([`${weird}/share/jupyter`]);
  });
});
