/**
 * The seed's entry points over mlc, in real shells: `setupMe-on-host.sh` and
 * `create-newEnv-on-base.sh` sourced in bash and zsh (csh/tcsh and other
 * shells get a message), `setup-UserEnv-in-container.sh` on the host (the
 * exact apptainer command, read back) and inside a container, and names and
 * paths full of shell syntax that must never run.
 */
import * as fs from 'fs';
import type { EnvRecord, IEnvCreateResult } from '../../src/core/envRecord';
import { runMlc } from '../harness/mlc';
import {
  mlcAsUser,
  resultData,
  runAsUser,
  useEnvFixture,
  userDir,
  type IUserPlaces
} from '../harness/unprivilegedBase';

const fixture = useEnvFixture('env-scripts');
let base: string;
let places: IUserPlaces;
/** The user's working directory: payloads would create their files here. */
let work: string;

/** Names that would run `touch pwned-N` (in `work`) if any shell parsed them. */
const PAYLOADS = [
  '$(touch pwned-1)',
  '`touch pwned-2`',
  'x;touch pwned-3;\'q"',
  'sp ace ünï %d \\n !x ${HOME}'
];

beforeAll(() => {
  ({ base, places } = fixture);
  work = userDir(`${fixture.scratch}/work`);
});

afterEach(() => {
  // No payload ever ran: not in mlc, not in a script, not in a prompt.
  expect(fs.readdirSync(work).filter(name => name.startsWith('pwned'))).toEqual(
    []
  );
});

/** Run `script` in `shell` as the test user, in `work`, with SCRIPT_PATH etc. in its environment. */
function shell(
  shellName: string,
  script: string,
  env: NodeJS.ProcessEnv = {}
): { code: number; stdout: string; stderr: string } {
  return runAsUser(shellName, ['-c', script], places, { cwd: work, env });
}

function create(prefix: string, args: string[] = []): IEnvCreateResult {
  const run = mlcAsUser(
    ['env', 'create', prefix, '--base', base, '--json', ...args],
    places,
    { cwd: work }
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return resultData<IEnvCreateResult>(run);
}

describe('setupMe-on-host.sh', () => {
  const envs: Array<{ name: string; prefix: string; script: string }> = [];

  beforeAll(() => {
    const parent = userDir(`${work}/dir $(touch pwned-4); x`);
    for (const name of PAYLOADS) {
      const result = create(`${parent}/${name}`, ['--no-kernel']);
      envs.push({ name, prefix: result.prefix, script: result.activateScript });
    }
  });

  it('activates the env in bash, shows the name in the prompt literally, and deactivates', () => {
    for (const env of envs) {
      const run = shell(
        'bash',
        'PS1="$ "; OLD_PATH=$PATH; source "$SCRIPT_PATH" || exit 9; python -c "import sys; print(sys.prefix)"; ' +
          'printf "%s\\n" "$CONDA_PREFIX" "${PS1@P}" "$JUPYTER_PATH"; deactivate; [ "$PATH" = "$OLD_PATH" ] && printf "%s\\n" "restored ${PS1@P}"',
        { SCRIPT_PATH: env.script }
      );
      expect(run.stderr).toBe('');
      expect(run.stdout.split('\n')).toEqual([
        env.prefix,
        env.prefix,
        `(${env.name}) $ `,
        `${env.prefix}/share/jupyter:${base}/share/jupyter`,
        'restored $ ',
        ''
      ]);
    }
  });

  it('activates the env in zsh, with and without prompt substitution', () => {
    for (const env of envs) {
      for (const option of ['unsetopt promptsubst', 'setopt promptsubst']) {
        const run = shell(
          'zsh',
          `${option}; PS1='%# '; source "$SCRIPT_PATH" || exit 9; python -c "import sys; print(sys.prefix)"; ` +
            // What zsh shows: prompt substitution (if set), then % escapes.
            'if [[ -o promptsubst ]]; then print -r -- "${(%)${(e)PS1}}"; else print -r -- "${(%)PS1}"; fi',
          { SCRIPT_PATH: env.script }
        );
        expect(run.stderr).toBe('');
        expect(run.stdout.split('\n')).toEqual([
          env.prefix,
          `(${env.name}) % `,
          ''
        ]);
      }
    }
  });

  it('the source line mlc prints works when pasted into bash', () => {
    const env = envs[0];
    const run = mlcAsUser(
      ['env', 'create', `${env.prefix}-2`, '--base', base, '--no-kernel'],
      places,
      { cwd: work }
    );
    const line = run.stdout
      .split('\n')
      .find(text => text.trim().startsWith('source '));
    expect(line).toBeDefined();
    const activated = shell(
      'bash',
      `${line}\npython -c "import sys; print(sys.prefix)"`
    );
    expect(activated.stdout.trim()).toBe(`${env.prefix}-2`);
  });

  it('tells csh/tcsh users what to run instead, and runs nothing', () => {
    for (const cshell of ['tcsh', 'csh']) {
      const run = shell(cshell, 'source "$SCRIPT_PATH"; echo "still here"', {
        SCRIPT_PATH: envs[3].script
      });
      expect(run.stderr).toContain(
        'setupMe-on-host.sh is for bash and zsh; csh and tcsh cannot source it. Instead, run: bash --rcfile '
      );
      expect(run.stdout.trim()).toBe('still here');
    }
  });

  it('refuses to run as a program or in another sh, with the command to source it', () => {
    const script = envs[0].script;
    for (const [file, args] of [
      ['bash', [script]],
      ['zsh', [script]],
      [script, []]
    ] as Array<[string, string[]]>) {
      const run = runAsUser(file, args, places, { cwd: work });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        'setupMe-on-host.sh must be sourced, not run; in bash or zsh: source '
      );
    }
    const dash = shell('dash', '. "$SCRIPT_PATH"; echo "rc=$?"', {
      SCRIPT_PATH: script
    });
    expect(dash.stdout.trim()).toBe('rc=1');
    expect(dash.stderr).toContain('setupMe-on-host.sh needs bash or zsh');
  });
});

describe('create-newEnv-on-base.sh', () => {
  let image: string;

  beforeAll(() => {
    // An image root holding the base (as /opt/conda) and the script, as the image build lays them out.
    image = `${fixture.scratch}/image`;
    fs.mkdirSync(`${image}/opt`, { recursive: true });
    fs.symlinkSync(base, `${image}/opt/conda`);
    const run = runMlc([
      'env',
      'install-scripts',
      '--dir',
      image,
      '--base',
      `${image}/opt/conda`
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // The same image reached at another path (like a CVMFS name for it).
    fs.symlinkSync(image, `${fixture.scratch}/image-elsewhere`);
  });

  it('creates the env and activates it, in bash and zsh; setupMe-on-host.sh re-enters it', () => {
    for (const [sh, name] of [
      ['bash', 'viaBash'],
      ['zsh', 'viaZsh']
    ]) {
      const run = shell(
        sh,
        `source "$CREATE" -p ${name} --no-kernel || exit 9; python -c "import sys; print(sys.prefix)"; echo "$CONDA_PREFIX"`,
        {
          CREATE: `${fixture.scratch}/image-elsewhere/create-newEnv-on-base.sh`
        }
      );
      expect(run.code).toBe(0);
      expect(run.stdout.split('\n')).toEqual([
        `${work}/${name}`,
        `${work}/${name}`,
        ''
      ]);
      expect(run.stderr).toContain(
        `source '${work}/${name}/setupMe-on-host.sh'`
      );
      // The base is found relative to the script, at the path it was reached by.
      expect(fs.readlinkSync(`${work}/${name}/baseEnv_dir`)).toBe(
        `${fixture.scratch}/image-elsewhere/opt/conda`
      );
      const again = shell(
        sh,
        `source ${name}/setupMe-on-host.sh && python -c "import sys; print(sys.prefix)"`
      );
      expect(again.stdout.trim()).toBe(`${work}/${name}`);
    }
  });

  it('shows help, refuses a bad request without activating anything, and refuses to run unsourced', () => {
    const create = `${image}/create-newEnv-on-base.sh`;
    const help = shell('bash', 'source "$CREATE" -h', { CREATE: create });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--display-name');
    const bad = shell(
      'bash',
      'source "$CREATE" -p viaBash; echo "rc=$? ${CONDA_PREFIX:-none}"',
      { CREATE: create }
    );
    expect(bad.stdout.trim()).toBe('rc=1 none');
    expect(bad.stderr).toContain('already exists and is not empty');
    const direct = runAsUser(create, ['-p', 'never'], places, { cwd: work });
    expect(direct.code).toBe(1);
    expect(direct.stderr).toContain(
      'create-newEnv-on-base.sh must be sourced, not run'
    );
    const tcsh = shell('tcsh', 'source "$CREATE" -p never', { CREATE: create });
    expect(tcsh.stderr).toContain(
      'csh and tcsh cannot source it. Instead, start bash, then run: source '
    );
    expect(fs.existsSync(`${work}/never`)).toBe(false);
  });
});

describe('setup-UserEnv-in-container.sh', () => {
  it('records the image and binds, starts the container from the host, and activates inside it', () => {
    const result = create(`${work}/cenv`, [
      '--no-kernel',
      '--container-image',
      '/images/ml-base.sif',
      '--bind',
      '/cvmfs',
      '--bind',
      '/data x'
    ]);
    expect(result.mode).toBe('container');
    expect(result.activateScript).toBe(
      `${work}/cenv/setup-UserEnv-in-container.sh`
    );
    const record = JSON.parse(
      fs.readFileSync(`${work}/cenv/.mlc-env.json`, 'utf-8')
    ) as EnvRecord;
    expect(record).toMatchObject({
      mode: 'container',
      containerImage: '/images/ml-base.sif',
      bindPaths: ['/cvmfs', '/data x']
    });

    // On the host: the command it would run, read back from a stand-in apptainer.
    const fakeBin = userDir(`${fixture.scratch}/fakebin`);
    fs.writeFileSync(
      `${fakeBin}/apptainer`,
      '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > "$FAKE_OUT"\n',
      { mode: 0o755 }
    );
    const out = `${work}/apptainer-argv`;
    const host = shell('bash', 'source "$SCRIPT_PATH"', {
      SCRIPT_PATH: result.activateScript,
      PATH: `${fakeBin}:/usr/bin:/bin`,
      FAKE_OUT: out
    });
    expect(host.code).toBe(0);
    expect(fs.readFileSync(out, 'utf-8').split('\n')).toEqual([
      'exec',
      '-B',
      `${work}/cenv`,
      '-B',
      '/cvmfs',
      '-B',
      '/data x',
      '/images/ml-base.sif',
      '/bin/bash',
      '--rcfile',
      `${work}/cenv/setup-UserEnv-in-container.sh`,
      ''
    ]);
    // Without apptainer or singularity: a clear message.
    const none = shell('bash', 'source "$SCRIPT_PATH"; echo "rc=$?"', {
      SCRIPT_PATH: result.activateScript,
      PATH: '/usr/bin:/bin'
    });
    expect(none.stdout.trim()).toBe('rc=1');
    expect(none.stderr).toContain(
      'neither apptainer nor singularity is on PATH'
    );

    // Inside the container (bash --rcfile sources it there).
    const inside = shell(
      'bash',
      'source "$SCRIPT_PATH" && python -c "import sys; print(sys.prefix)"',
      {
        SCRIPT_PATH: result.activateScript,
        APPTAINER_CONTAINER: '/images/ml-base.sif'
      }
    );
    expect(inside.stdout.trim()).toBe(`${work}/cenv`);
  });

  it('run inside Apptainer, create takes the running image and its binds', () => {
    const run = mlcAsUser(
      [
        'env',
        'create',
        `${work}/auto`,
        '--base',
        base,
        '--no-kernel',
        '--json'
      ],
      places,
      {
        cwd: work,
        env: {
          APPTAINER_CONTAINER: '/cvmfs/unpacked.cern.ch/ml-base:tag',
          APPTAINER_BIND: '/cvmfs,/home/x'
        }
      }
    );
    const auto = resultData<IEnvCreateResult>(run);
    expect(auto.mode).toBe('container');
    const record = JSON.parse(
      fs.readFileSync(`${work}/auto/.mlc-env.json`, 'utf-8')
    ) as EnvRecord;
    expect(record).toMatchObject({
      containerImage: '/cvmfs/unpacked.cern.ch/ml-base:tag',
      bindPaths: ['/cvmfs', '/home/x']
    });
  });
});
