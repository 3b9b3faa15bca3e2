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
});
