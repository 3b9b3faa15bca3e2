/**
 * `mlc image banner`: the banner is shown by an interactive shell started on
 * a terminal (a real pty from script(1)) through the hooks it writes, and
 * never appears on the standard output of a non-interactive command; the
 * Apptainer env file shows it for shell/run on a terminal only; host mode
 * shows it through setupMe-on-host.sh from `mlc kernels install`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runCommand, runMlc } from '../harness/mlc';
import { makeScratch } from '../harness/paths';
import { copyTestPrefix } from '../harness/prefix';

let scratch: { dir: string; cleanup: () => void };

beforeAll(() => {
  scratch = makeScratch('banner');
});

afterAll(() => {
  scratch?.cleanup();
});

const IMAGE_FACTS = {
  schemaVersion: 1,
  name: 'ml-base',
  tag: 'alma9-python311',
  os: 'AlmaLinux 9.4 (Seafoam Ocelot)',
  python: '3.11.9',
  flavour: 'cpu',
  buildDate: '2026-11-29T10:00:00Z',
  prefix: '/opt/conda',
  packages: []
};

/** A prefix and a root with the system rc files a distribution has. */
function makeImage(
  label: string,
  facts: object = IMAGE_FACTS
): { prefix: string; root: string; image: string } {
  const base = path.join(scratch.dir, label);
  const prefix = path.join(base, 'opt', 'conda');
  const root = path.join(base, 'root');
  fs.mkdirSync(prefix, { recursive: true });
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'etc', 'bash.bashrc'),
    '# system-wide bashrc\n'
  );
  fs.writeFileSync(
    path.join(root, 'etc', 'csh.cshrc'),
    '# system-wide cshrc\n'
  );
  const image = path.join(base, 'image.json');
  fs.writeFileSync(image, JSON.stringify(facts));
  return { prefix, root, image };
}

/**
 * Run `command` (sh words) on a pseudo-terminal with script(1), feeding
 * `input`; returns everything the terminal showed.
 */
function onTerminal(
  command: string,
  input: string,
  env: NodeJS.ProcessEnv = {}
): string {
  const result = spawnSync('script', ['-qefc', command, '/dev/null'], {
    input,
    encoding: 'utf-8',
    timeout: 60000,
    env: { PATH: '/usr/bin:/bin', HOME: scratch.dir, TERM: 'dumb', ...env }
  });
  if (result.error) {
    throw result.error;
  }
  return result.stdout.replace(/\r/g, '');
}

const FIRST_LINE = 'For the content in this container,';

describe('mlc image banner', () => {
  it('writes the banner from image.json and hooks the system rc files once', () => {
    const { prefix, root, image } = makeImage('write');
    const args = [
      'image',
      'banner',
      '--prefix',
      prefix,
      '--root',
      root,
      '--image',
      image
    ];
    const result = runMlc(args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const text = fs.readFileSync(
      path.join(prefix, 'etc', 'ml-containers', 'banner.txt'),
      'utf-8'
    );
    expect(text).toContain(
      'ml-base:alma9-python311 (Python 3.11.9, AlmaLinux 9.4 (Seafoam Ocelot), built 2026-11-29)'
    );
    expect(text).toContain('  please read the file /list-of-pkgs-inside.txt');
    expect(text).toContain(
      'run "source /create-newEnv-on-base.sh -h" for help'
    );
    expect(
      fs.existsSync(
        path.join(root, 'etc', 'profile.d', 'zz-ml-containers-banner.sh')
      )
    ).toBe(true);

    expect(runMlc(args).code).toBe(0);
    const bashrc = fs.readFileSync(
      path.join(root, 'etc', 'bash.bashrc'),
      'utf-8'
    );
    expect(
      bashrc.split('\n').filter(line => line.includes('ml-containers banner'))
    ).toHaveLength(1);
    expect(bashrc.startsWith('# system-wide bashrc\n')).toBe(true);
  });

  it('is shown by an interactive bash and tcsh on a terminal, and never on the output of a command', () => {
    const { prefix, root, image } = makeImage('shells');
    expect(
      runMlc([
        'image',
        'banner',
        '--prefix',
        prefix,
        '--root',
        root,
        '--image',
        image
      ]).code
    ).toBe(0);
    const bashrc = path.join(root, 'etc', 'bash.bashrc');

    const interactive = onTerminal(
      `bash --norc --noprofile -c 'exec bash --rcfile ${bashrc} -i'`,
      'echo READY\nexit\n'
    );
    expect(interactive).toContain(FIRST_LINE);
    expect(interactive).toContain('ml-base:alma9-python311');

    // Non-interactive: the same rc sourced, nothing but the command's output, on either stream.
    const quiet = runCommand(
      'bash',
      ['-c', `. ${bashrc}; python3 -c 'print(1)'`],
      { env: { MLC_BANNER_SHOWN: '' } }
    );
    expect(quiet.stdout).toBe('1\n');
    expect(quiet.stderr).toBe('');

    // Even an interactive shell keeps stdout clean: the banner goes to stderr.
    const split = runCommand(
      'bash',
      ['--rcfile', bashrc, '-i', '-c', 'echo OUT'],
      { env: { MLC_BANNER_SHOWN: '' } }
    );
    expect(split.stdout).toBe('OUT\n');
    expect(split.stderr).toContain(FIRST_LINE);

    // Shown once per session: a nested interactive shell stays quiet.
    const nested = runCommand(
      'bash',
      ['--rcfile', bashrc, '-i', '-c', `bash --rcfile ${bashrc} -i -c true`],
      { env: { MLC_BANNER_SHOWN: '' } }
    );
    expect(nested.stderr.split(FIRST_LINE)).toHaveLength(2);

    const csh = onTerminal(
      `tcsh -c 'source ${path.join(root, 'etc', 'csh.cshrc')}; set prompt=x; source ${path.join(root, 'etc', 'csh.cshrc')}'`,
      ''
    );
    expect(csh).toContain(FIRST_LINE);
    const cshQuiet = runCommand('tcsh', [
      '-f',
      '-c',
      `source ${path.join(root, 'etc', 'csh.cshrc')}; echo 1`
    ]);
    expect(cshQuiet.stdout).toBe('1\n');
    expect(cshQuiet.stderr).toBe('');
  });

  it('Apptainer env file: shown for shell/run on a terminal, never for exec or without a terminal', () => {
    const { prefix, root, image } = makeImage('apptainer');
    const envDir = path.join(root, '.singularity.d', 'env');
    fs.mkdirSync(envDir, { recursive: true });
    expect(
      runMlc([
        'image',
        'banner',
        '--prefix',
        prefix,
        '--root',
        root,
        '--image',
        image,
        '--apptainer-env-dir',
        envDir
      ]).code
    ).toBe(0);
    const file = path.join(envDir, '95-ml-containers-banner.sh');
    expect(
      onTerminal(`sh -c '. ${file}; echo DONE'`, '', {
        APPTAINER_COMMAND: 'shell'
      })
    ).toContain(FIRST_LINE);
    expect(
      onTerminal(`sh -c '. ${file}; echo DONE'`, '', {
        SINGULARITY_COMMAND: 'run'
      })
    ).toContain(FIRST_LINE);
    const exec = onTerminal(`sh -c '. ${file}; echo DONE'`, '', {
      APPTAINER_COMMAND: 'exec'
    });
    expect(exec).not.toContain(FIRST_LINE);
    expect(exec).toContain('DONE');
    const piped = runCommand('sh', ['-c', `. ${file}; echo 1`], {
      env: { APPTAINER_COMMAND: 'shell', MLC_BANNER_SHOWN: '' }
    });
    expect(piped.stdout + piped.stderr).toBe('1\n');
  });

  it('host mode: setupMe-on-host.sh shows it with the paths under where the image is mounted', () => {
    // Built with its env at `built`; then mounted elsewhere (as under /cvmfs/), the same path below the mount.
    const built = path.join(scratch.dir, 'opt', 'conda');
    copyTestPrefix(built);
    expect(runMlc(['kernels', 'install', '--prefix', built]).code).toBe(0);
    const image = path.join(scratch.dir, 'host-image.json');
    fs.writeFileSync(image, JSON.stringify({ ...IMAGE_FACTS, prefix: built }));
    const buildRoot = path.join(scratch.dir, 'build-root');
    fs.mkdirSync(path.join(buildRoot, 'etc'), { recursive: true });
    expect(
      runMlc([
        'image',
        'banner',
        '--prefix',
        built,
        '--root',
        buildRoot,
        '--image',
        image
      ]).code
    ).toBe(0);
    const mount = path.join(scratch.dir, 'mnt', 'img');
    const prefix = path.join(mount, built);
    fs.mkdirSync(path.dirname(prefix), { recursive: true });
    fs.renameSync(built, prefix);

    const setup = path.join(
      prefix,
      'etc',
      'ml-containers',
      'setupMe-on-host.sh'
    );
    const shown = onTerminal(
      'bash --norc --noprofile -i',
      `. ${setup}\necho READY\nexit\n`
    );
    expect(shown).toContain(FIRST_LINE);
    expect(shown).toContain(
      `please read the file ${mount}/list-of-pkgs-inside.txt`
    );
    expect(shown).toContain(
      `run "source ${mount}/create-newEnv-on-base.sh -h" for help`
    );
    const quiet = runCommand('bash', ['-c', `. ${setup}; echo 1`], {
      env: { MLC_BANNER_SHOWN: '' }
    });
    expect(quiet.stdout).toBe('1\n');
    expect(quiet.stderr).toBe('');
  });

  it("works for a prefix and facts holding spaces, quotes and '$' (nothing reaches a shell unquoted)", () => {
    const odd = { ...IMAGE_FACTS, os: 'Alma "9" $HOME \'x\' `id`' };
    const { root, image } = makeImage('odd', odd);
    const prefix = path.join(scratch.dir, "my env's $PATH dir", 'opt conda');
    fs.mkdirSync(prefix, { recursive: true });
    expect(
      runMlc([
        'image',
        'banner',
        '--prefix',
        prefix,
        '--root',
        root,
        '--image',
        image
      ]).code
    ).toBe(0);
    const bashrc = path.join(root, 'etc', 'bash.bashrc');
    const shown = runCommand(
      'bash',
      ['--rcfile', bashrc, '-i', '-c', 'echo OUT'],
      { env: { MLC_BANNER_SHOWN: '' } }
    );
    expect(shown.stdout).toBe('OUT\n');
    expect(shown.stderr).toContain(
      '(Python 3.11.9, Alma "9" $HOME \'x\' `id`, built 2026-11-29)'
    );
    expect(shown.stderr).not.toMatch(/syntax error|command not found|uid=/);
  });

  it('refuses a broken image.json or a multi-line fact in one line, writing nothing', () => {
    const broken = makeImage('broken');
    fs.writeFileSync(broken.image, '{ not json');
    const bad = runMlc([
      'image',
      'banner',
      '--prefix',
      broken.prefix,
      '--root',
      broken.root,
      '--image',
      broken.image
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')).toHaveLength(2);
    expect(bad.stderr).toMatch(
      /image\.json: not valid JSON.*; write it again with 'mlc image manifest'\n$/
    );

    const hostile = makeImage('hostile', {
      ...IMAGE_FACTS,
      os: 'Alma\n echo pwned'
    });
    const refused = runMlc([
      'image',
      'banner',
      '--prefix',
      hostile.prefix,
      '--root',
      hostile.root,
      '--image',
      hostile.image
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /the os it contains a newline or control character/
    );
    for (const { prefix, root } of [broken, hostile]) {
      expect(fs.readdirSync(prefix)).toEqual([]);
      expect(fs.readdirSync(path.join(root, 'etc')).sort()).toEqual([
        'bash.bashrc',
        'csh.cshrc'
      ]);
    }
  });
});
