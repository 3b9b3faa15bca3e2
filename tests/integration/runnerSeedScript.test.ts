/**
 * scripts/run-ml_container.sh maps the seed's names onto mlc, one to one:
 * a recorder stands in for mlc to assert the exact argv, then the real
 * bundle answers one call through it, run and sourced.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { makeScratch, MLC_BUNDLE, REPO } from '../harness/paths';

const SCRIPT = path.join(REPO, 'scripts', 'run-ml_container.sh');
let scratch: { dir: string; cleanup: () => void };
let recorder: string;

beforeAll(() => {
  scratch = makeScratch('runner-seed');
  recorder = path.join(scratch.dir, 'mlc-recorder');
  fs.writeFileSync(
    recorder,
    '#!/bin/sh\nfor a in "$@"; do printf \'%s\\n\' "$a"; done\nexit 4\n',
    { mode: 0o755 }
  );
});

afterAll(() => scratch?.cleanup());

function viaScript(args: string[], mlc = recorder) {
  return spawnSync('bash', [SCRIPT, ...args], {
    encoding: 'utf-8',
    env: { ...process.env, MLC: mlc },
    cwd: scratch.dir,
    timeout: 60000
  });
}

describe('run-ml_container.sh', () => {
  it.each([
    [[], ['enter']],
    [['--rerun'], ['enter']],
    [['listImages'], ['images']],
    [
      ['listPackages', 'ml-base'],
      ['packages', 'ml-base']
    ],
    [
      ['printImageInfo', 'ml-base'],
      ['info', 'ml-base']
    ],
    [
      ['getImageInfo', 'ml-base'],
      ['info', 'ml-base']
    ],
    [['printPullLimit'], ['pull-limit']],
    [['printMe'], ['status']],
    [
      ['update', '-f'],
      ['update', '-f']
    ],
    [
      ['jupyter', '--port', '8800'],
      ['jupyter', '--port', '8800']
    ],
    [['ml-base'], ['setup', 'ml-base']],
    [
      ['--sing', 'ml-base'],
      ['setup', '--singularity', 'ml-base']
    ],
    [
      ['setup', '--podman', '-f', '-B', '/data:/mnt data', 'ml-base'],
      ['setup', '--podman', '-f', '-B', '/data:/mnt data', 'ml-base']
    ],
    [
      ['$(touch x)', '*'],
      ['setup', '$(touch x)', '*']
    ]
  ])('maps %j to mlc %j and returns its status', (args, expected) => {
    const result = viaScript(args as string[]);
    expect(result.stdout.split('\n').slice(0, -1)).toEqual(expected);
    expect(result.status).toBe(4);
    expect(fs.existsSync(path.join(scratch.dir, 'x'))).toBe(false);
  });

  it('reaches the real mlc, run or sourced', () => {
    const real = path.join(scratch.dir, 'mlc');
    fs.writeFileSync(
      real,
      `#!/bin/sh\nexec "${process.execPath}" "${MLC_BUNDLE}" "$@"\n`,
      { mode: 0o755 }
    );
    const ran = viaScript(['listImages'], real);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain('ml-base:centos7-python38');
    const sourced = spawnSync(
      'bash',
      [
        '-c',
        `source "${SCRIPT}" listImages ml-torch-gpu; echo "status=$?"; echo still-here`
      ],
      { encoding: 'utf-8', env: { ...process.env, MLC: real }, timeout: 60000 }
    );
    expect(sourced.stdout).toMatch(
      /ml-torch-gpu:centos7-python38[\s\S]*status=0\nstill-here\n$/
    );
  });

  describe('finds mlc without MLC set', () => {
    // A PATH with the shell's tools and no mlc, as in a venv that is not activated.
    const BARE_PATH = '/usr/bin:/bin';

    function runBare(script: string, args: string[], extra = {}) {
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: BARE_PATH };
      delete env.MLC;
      return spawnSync('bash', [script, ...args], {
        encoding: 'utf-8',
        env: { ...env, ...extra },
        cwd: scratch.dir,
        timeout: 60000
      });
    }

    /** A bin/ as pip makes it: the script with a recording mlc beside it. */
    function venvBin(name: string): string {
      const bin = path.join(scratch.dir, name, 'bin');
      fs.mkdirSync(bin, { recursive: true });
      fs.copyFileSync(SCRIPT, path.join(bin, 'run-ml_container.sh'));
      fs.copyFileSync(recorder, path.join(bin, 'mlc'));
      fs.chmodSync(path.join(bin, 'mlc'), 0o755);
      return bin;
    }

    it('uses the mlc beside the script, run by its path with mlc not on PATH', () => {
      const bin = venvBin('venv-by-path');
      expect(
        spawnSync('sh', ['-c', 'command -v mlc'], {
          env: { PATH: BARE_PATH }
        }).status
      ).not.toBe(0);
      const result = runBare(path.join(bin, 'run-ml_container.sh'), [
        'listPackages',
        'ml-base'
      ]);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('packages\nml-base\n');
      expect(result.status).toBe(4);
    });

    it('follows links to the script, relative and chained, to the mlc beside the real file', () => {
      const bin = venvBin('venv-linked');
      const home = path.join(scratch.dir, 'home-bin');
      fs.mkdirSync(home, { recursive: true });
      fs.symlinkSync(
        path.relative(home, path.join(bin, 'run-ml_container.sh')),
        path.join(home, 'first-link')
      );
      fs.symlinkSync('first-link', path.join(home, 'run-ml_container.sh'));
      const result = runBare(path.join(home, 'run-ml_container.sh'), [
        'printMe'
      ]);
      expect(result.stdout).toBe('status\n');
      expect(result.status).toBe(4);
    });

    it('keeps MLC before the mlc beside it, and falls back to PATH', () => {
      const bin = venvBin('venv-mlc-first');
      const other = path.join(scratch.dir, 'other-mlc');
      fs.writeFileSync(other, '#!/bin/sh\necho other "$@"\nexit 5\n', {
        mode: 0o755
      });
      const chosen = runBare(
        path.join(bin, 'run-ml_container.sh'),
        ['printMe'],
        {
          MLC: other
        }
      );
      expect(chosen.stdout).toBe('other status\n');
      expect(chosen.status).toBe(5);

      const lone = path.join(scratch.dir, 'lone-with-path');
      fs.mkdirSync(lone, { recursive: true });
      fs.copyFileSync(SCRIPT, path.join(lone, 'run-ml_container.sh'));
      const onPath = runBare(
        path.join(lone, 'run-ml_container.sh'),
        ['printMe'],
        {
          PATH: `${bin}:${BARE_PATH}`
        }
      );
      expect(onPath.stdout).toBe('status\n');
      expect(onPath.status).toBe(4);
    });

    it('copied elsewhere with no mlc anywhere: one line saying how to install it, exit 127, run or sourced', () => {
      const lone = path.join(scratch.dir, 'lone');
      fs.mkdirSync(lone, { recursive: true });
      const copy = path.join(lone, 'run-ml_container.sh');
      fs.copyFileSync(SCRIPT, copy);
      const result = runBare(copy, ['listImages']);
      expect(result.status).toBe(127);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toEqual([
        'run-ml_container.sh: mlc not found beside this script or on PATH; install it with: pip install jupyterlab-ml-containers'
      ]);

      const env: NodeJS.ProcessEnv = { ...process.env, PATH: BARE_PATH };
      delete env.MLC;
      const sourced = spawnSync(
        'bash',
        [
          '-c',
          `source "${copy}" listImages; echo "status=$?"; echo still-here`
        ],
        { encoding: 'utf-8', env, timeout: 60000 }
      );
      expect(sourced.stdout).toBe('status=127\nstill-here\n');
      expect(sourced.stderr).toContain('pip install jupyterlab-ml-containers');
    });
  });
});
