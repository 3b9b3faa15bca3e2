/**
 * `mlc image manifest` on real prefixes: conda-meta records of the real
 * shape, real pip installs (wheels this file builds, installed by the
 * machine's pip), a copy of this machine's dpkg status under a fake root,
 * a venv without conda-meta, and the shared image prefix from
 * scripts/make-python-prefix.sh. Asserts on the exact files written, with
 * dpkg-query, importlib.metadata and os-release read by the shell as oracles.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCommand, runMlc, type IRunResult } from '../harness/mlc';
import { makeScratch } from '../harness/paths';
import { testImagePrefix } from '../harness/prefix';

const LIST = 'list-of-pkgs-inside.txt';
const IMAGE_JSON = 'image.json';
const BUILD_DATE = '2024-05-01T12:30:00Z';
const ALMA = 'AlmaLinux 9.4 (Seafoam Ocelot)';

/** The wheels this file builds: name as in METADATA, version. */
const WHEELS: Array<[string, string]> = [
  ['Odd.Name_pkg', '1.0+local.7'], // odd characters, local version segment
  ['Alpha', '2.0'], // sorts before lower-case names only case-insensitively
  ['zeta', '0.1'],
  ['Dup_Pkg', '9.9'], // conda also has dup-pkg 1.0: conda wins
  ['base-files', '0.0.1'], // dpkg also has base-files: pip wins
  ['owned_by_files', '1.0'], // its files are in the conda record "pyowned"
  ['owned_by_installer', '1.0'] // INSTALLER rewritten to "conda", as conda does
];

const scratch = makeScratch('manifest');
const machine = { python: '', minor: '' };
let wheels: string[] = [];
/** The conda + pip prefix, its fake Alma root (with this machine's dpkg status) and an empty root. */
let prefix = '';
let root = '';
let emptyRoot = '';
/** What dpkg-query says is installed in the copied status: name -> version. */
let dpkg = new Map<string, string>();

beforeAll(() => {
  const versions =
    'import sys; print(sys.version.split()[0]); print("%d.%d" % sys.version_info[:2])';
  const facts = run('python3', ['-I', '-c', versions]);
  [machine.python, machine.minor] = facts.stdout.trim().split('\n');
  wheels = buildWheels(path.join(scratch.dir, 'wheels'));

  root = path.join(scratch.dir, 'alma-root');
  fs.mkdirSync(path.join(root, 'var/lib/dpkg'), { recursive: true });
  fs.copyFileSync(
    '/var/lib/dpkg/status',
    path.join(root, 'var/lib/dpkg/status')
  );
  fs.mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
  fs.mkdirSync(path.join(root, 'etc'));
  fs.writeFileSync(
    path.join(root, 'usr/lib/os-release'),
    `NAME="AlmaLinux"\nVERSION="9.4 (Seafoam Ocelot)"\nPRETTY_NAME="${ALMA}"\n`
  );
  // Absolute, as on some distributions: it must resolve inside the root, not to this machine's Debian file.
  fs.symlinkSync('/usr/lib/os-release', path.join(root, 'etc/os-release'));
  dpkg = dpkgOracle(path.join(root, 'var/lib/dpkg'));
  emptyRoot = path.join(scratch.dir, 'empty-root');
  fs.mkdirSync(emptyRoot);

  prefix = path.join(scratch.dir, 'conda-prefix');
  const site = path.join(
    prefix,
    'lib',
    `python${machine.minor}`,
    'site-packages'
  );
  fs.mkdirSync(site, { recursive: true });
  pipInstall(site, wheels);
  const ownedDistInfo = `lib/python${machine.minor}/site-packages/owned_by_files-1.0.dist-info`;
  fs.writeFileSync(
    path.join(site, 'owned_by_installer-1.0.dist-info', 'INSTALLER'),
    'conda\n'
  );
  writeCondaMeta(prefix, [
    condaRecord('python', machine.python, 'hab00c5b_1_cpython', 'linux-64', [
      `bin/python${machine.minor}`,
      `lib/python${machine.minor}/os.py`
    ]),
    condaRecord('bash', '5.2.21', 'h7f98852_0', 'linux-64', ['bin/bash']),
    condaRecord('dup-pkg', '1.0', 'pyhd8ed1ab_0', 'noarch', [
      `lib/python${machine.minor}/site-packages/dup_pkg/__init__.py`
    ]),
    condaRecord('pyowned', '1.0', 'pyhd8ed1ab_1', 'noarch', [
      `${ownedDistInfo}/INSTALLER`,
      `${ownedDistInfo}/METADATA`,
      `${ownedDistInfo}/RECORD`,
      `lib/python${machine.minor}/site-packages/owned_by_files/__init__.py`
    ])
  ]);
}, 300000);

afterAll(() => scratch.cleanup());

describe('a conda prefix with pip installs and a Debian package database under an Alma root', () => {
  let out = '';
  let before: string[] = [];
  let first: IRunResult;

  beforeAll(() => {
    out = freshDir('out-full');
    before = treeSnapshot(prefix);
    first = runMlc(
      manifestArgs(out, [
        '--name',
        'ml-base',
        '--tag',
        'alma9-python311',
        '--flavour',
        'gpu',
        '--docker-path',
        'docker.io/yesw2000/ml-base:alma9-python311'
      ])
    );
  });

  it('succeeds and says what it wrote', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`wrote ${path.join(out, LIST)}`);
  });

  it('writes the exact package list: conda over pip over system, sorted case-insensitively', () => {
    expect(dpkg.has('bash') && dpkg.has('base-files')).toBe(true); // the collisions below are real
    const system = [...dpkg].filter(
      ([name]) => name !== 'bash' && name !== 'base-files'
    );
    const expected = [
      ['python', machine.python],
      ['bash', '5.2.21'],
      ['dup-pkg', '1.0'],
      ['pyowned', '1.0'],
      ['Odd.Name_pkg', '1.0+local.7'],
      ['Alpha', '2.0'],
      ['zeta', '0.1'],
      ['base-files', '0.0.1'],
      ...system
    ].sort(byNameIgnoringCase);
    expect(fs.readFileSync(path.join(out, LIST), 'utf-8')).toBe(
      expected.map(([n, v]) => `${n} ${v}\n`).join('')
    );
  });

  it('writes the exact image.json, keys in the contract order', () => {
    const conda = (name: string, version: string, build: string) => ({
      name,
      version,
      source: 'conda',
      build,
      channel: 'conda-forge'
    });
    const bySource = new Map<string, object>([
      ['python', conda('python', machine.python, 'hab00c5b_1_cpython')],
      ['bash', conda('bash', '5.2.21', 'h7f98852_0')],
      ['dup-pkg', conda('dup-pkg', '1.0', 'pyhd8ed1ab_0')],
      ['pyowned', conda('pyowned', '1.0', 'pyhd8ed1ab_1')]
    ]);
    for (const [name, version] of WHEELS.slice(0, 3).concat([
      ['base-files', '0.0.1']
    ])) {
      bySource.set(name, { name, version, source: 'pip' });
    }
    for (const [name, version] of dpkg) {
      if (!bySource.has(name)) {
        bySource.set(name, { name, version, source: 'system' });
      }
    }
    const lines = fs
      .readFileSync(path.join(out, LIST), 'utf-8')
      .trimEnd()
      .split('\n');
    const expected = {
      schemaVersion: 1,
      name: 'ml-base',
      tag: 'alma9-python311',
      os: ALMA,
      python: machine.python,
      flavour: 'gpu',
      buildDate: BUILD_DATE,
      prefix,
      dockerPath: 'docker.io/yesw2000/ml-base:alma9-python311',
      packages: lines.map(line => bySource.get(line.split(' ')[0]))
    };
    expect(lines.every(line => bySource.has(line.split(' ')[0]))).toBe(true);
    expect(fs.readFileSync(path.join(out, IMAGE_JSON), 'utf-8')).toBe(
      JSON.stringify(expected, null, 2) + '\n'
    );
  });

  it('writes only its two files, world-readable, and leaves the prefix as it was', () => {
    expect(fs.readdirSync(out).sort()).toEqual([IMAGE_JSON, LIST]);
    for (const name of [IMAGE_JSON, LIST]) {
      expect(fs.statSync(path.join(out, name)).mode & 0o777).toBe(0o644);
    }
    expect(treeSnapshot(prefix)).toEqual(before);
  });

  it('gives byte-equal files on a second run with the same input', () => {
    const again = freshDir('out-again');
    expect(
      runMlc(
        manifestArgs(again, [
          '--name',
          'ml-base',
          '--tag',
          'alma9-python311',
          '--flavour',
          'gpu',
          '--docker-path',
          'docker.io/yesw2000/ml-base:alma9-python311'
        ])
      ).code
    ).toBe(0);
    for (const name of [IMAGE_JSON, LIST]) {
      expect(fs.readFileSync(path.join(again, name), 'utf-8')).toBe(
        fs.readFileSync(path.join(out, name), 'utf-8')
      );
    }
  });

  it('takes name, tag, flavour and docker path from the existing image.json when --name is not given', () => {
    const result = runMlc([
      ...manifestArgs(out, []).filter(
        arg => arg !== BUILD_DATE && arg !== '--build-date'
      ),
      '--build-date',
      '2025-01-02',
      '--json'
    ]);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(events[0]).toMatchObject({
      type: 'result',
      command: 'image manifest',
      data: {
        image: 'ml-base:alma9-python311',
        buildDate: '2025-01-02',
        databases: ['dpkg'],
        warnings: []
      }
    });
    expect(events[1]).toEqual({ type: 'end', exitCode: 0 });
    const written = JSON.parse(
      fs.readFileSync(path.join(out, IMAGE_JSON), 'utf-8')
    );
    expect(written).toMatchObject({
      name: 'ml-base',
      tag: 'alma9-python311',
      flavour: 'gpu',
      buildDate: '2025-01-02'
    });
    expect(written.dockerPath).toBe(
      'docker.io/yesw2000/ml-base:alma9-python311'
    );
    expect(events[0].data.packageCount).toBe(written.packages.length);
  });
});

describe('a venv without conda-meta', () => {
  it('asks the prefix interpreter for the Python version and lists the pip installs', () => {
    const venv = path.join(scratch.dir, 'venv');
    run('python3', ['-m', 'venv', '--without-pip', venv]);
    pipInstall(
      path.join(venv, 'lib', `python${machine.minor}`, 'site-packages'),
      [wheelOf('zeta')]
    );
    const out = freshDir('out-venv');
    const before = treeSnapshot(venv);
    const result = runMlc([
      'image',
      'manifest',
      '--prefix',
      venv,
      '--out-dir',
      out,
      '--root',
      emptyRoot,
      '--name',
      'plain',
      '--os',
      'Test OS 1',
      '--build-date',
      '2024-05-01'
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(fs.readFileSync(path.join(out, LIST), 'utf-8')).toBe('zeta 0.1\n');
    const written = JSON.parse(
      fs.readFileSync(path.join(out, IMAGE_JSON), 'utf-8')
    );
    expect(written).toEqual({
      schemaVersion: 1,
      name: 'plain',
      tag: '',
      os: 'Test OS 1',
      python: machine.python,
      flavour: 'cpu',
      buildDate: '2024-05-01',
      prefix: venv,
      packages: [{ name: 'zeta', version: '0.1', source: 'pip' }]
    });
    // The interpreter ran with -B: no __pycache__ appeared in the prefix.
    expect(treeSnapshot(venv)).toEqual(before);
  });
});

/** rpm and rpmbuild are Debian packages here (`rpm`); without them this part cannot run. */
const HAVE_RPM = ['rpm', 'rpmbuild'].every(
  tool => runCommand('bash', ['-c', 'command -v "$1"', '-', tool]).code === 0
);

(HAVE_RPM ? describe : describe.skip)(
  'an rpm database under a root, read with the real rpm',
  () => {
    let rpmRoot = '';
    beforeAll(() => {
      rpmRoot = path.join(scratch.dir, 'rpm-root');
      const packages = buildRpms(path.join(scratch.dir, 'rpmbuild'), [
        ['mlc-test-tool', '2.21', '29.el9'],
        ['bash', '5.1.8', '9.el9'] // conda's bash wins
      ]);
      fs.mkdirSync(rpmRoot);
      run('rpm', ['--root', rpmRoot, '--dbpath', '/var/lib/rpm', '--initdb']);
      run('rpm', [
        '--root',
        rpmRoot,
        '--dbpath',
        '/var/lib/rpm',
        '-i',
        '--nodeps',
        '--justdb',
        ...packages
      ]);
    });

    it('lists the rpm packages under the conda and pip ones', () => {
      const out = freshDir('out-rpm');
      const result = runMlc(
        manifestArgs(out, ['--name', 'alma']).map(arg =>
          arg === root ? rpmRoot : arg
        )
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const expected = [
        ['python', machine.python],
        ['bash', '5.2.21'],
        ['dup-pkg', '1.0'],
        ['pyowned', '1.0'],
        ['Odd.Name_pkg', '1.0+local.7'],
        ['Alpha', '2.0'],
        ['zeta', '0.1'],
        ['base-files', '0.0.1'],
        ['mlc-test-tool', '2.21-29.el9']
      ].sort(byNameIgnoringCase);
      expect(fs.readFileSync(path.join(out, LIST), 'utf-8')).toBe(
        expected.map(([n, v]) => `${n} ${v}\n`).join('')
      );
      const written = JSON.parse(
        fs.readFileSync(path.join(out, IMAGE_JSON), 'utf-8')
      );
      expect(written.packages).toContainEqual({
        name: 'mlc-test-tool',
        version: '2.21-29.el9',
        source: 'system'
      });
    });

    it('warns and lists no system packages when there is no rpm command', () => {
      const out = freshDir('out-no-rpm');
      const args = manifestArgs(out, ['--name', 'alma']).map(arg =>
        arg === root ? rpmRoot : arg
      );
      const result = runMlc(args, {
        env: { PATH: path.join(scratch.dir, 'no-tools') }
      });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(
        `mlc: warning: ${rpmRoot} has an rpm database but no rpm command is on PATH; its packages are not listed\n`
      );
      expect(fs.readFileSync(path.join(out, LIST), 'utf-8')).not.toContain(
        'mlc-test-tool'
      );
    });
  }
);

describe('the image prefix from scripts/make-python-prefix.sh, on this machine as root', () => {
  it('lists its conda records, its pip installs but not the conda-owned one, and the system packages', () => {
    const image = testImagePrefix();
    const out = freshDir('out-real');
    const before = treeSnapshot(path.join(image, 'conda-meta'));
    const result = runMlc([
      'image',
      'manifest',
      '--prefix',
      image,
      '--out-dir',
      out,
      '--name',
      'ml-test',
      '--build-date',
      BUILD_DATE
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const conda = fs
      .readdirSync(path.join(image, 'conda-meta'))
      .filter(name => name.endsWith('.json'))
      .map(name =>
        fs.readFileSync(path.join(image, 'conda-meta', name), 'utf-8')
      )
      .map(text => JSON.parse(text) as { name: string; version: string });
    const dists = JSON.parse(
      run(path.join(image, 'bin', 'python3'), [
        '-I',
        '-c',
        [
          'import importlib.metadata as m, json',
          'rows = [[d.metadata["Name"], d.version, (d.read_text("INSTALLER") or "").strip()] for d in m.distributions()]',
          'print(json.dumps(rows))'
        ].join('\n')
      ]).stdout
    ) as Array<[string, string, string]>;
    expect(
      dists.some(
        ([name, , installer]) => name === 'ipykernel' && installer === 'conda'
      )
    ).toBe(true);
    const pythonVersion = run(path.join(image, 'bin', 'python3'), [
      '-I',
      '-c',
      'import sys; print(sys.version.split()[0])'
    ]).stdout.trim();
    const os = run('bash', [
      '-c',
      '. /etc/os-release && printf %s "$PRETTY_NAME"'
    ]).stdout;

    const key = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');
    const chosen = new Map<string, [string, string, string]>();
    const offer = (name: string, version: string, source: string) => {
      if (!chosen.has(key(name))) {
        chosen.set(key(name), [name, version, source]);
      }
    };
    conda.forEach(record => offer(record.name, record.version, 'conda'));
    dists
      .filter(([, , installer]) => installer !== 'conda')
      .forEach(([name, version]) => offer(name, version, 'pip'));
    dpkgOracle('/var/lib/dpkg').forEach((version, name) =>
      offer(name, version, 'system')
    );
    const expected = [...chosen.values()].sort(byNameIgnoringCase);

    expect(fs.readFileSync(path.join(out, LIST), 'utf-8')).toBe(
      expected.map(([n, v]) => `${n} ${v}\n`).join('')
    );
    const written = JSON.parse(
      fs.readFileSync(path.join(out, IMAGE_JSON), 'utf-8')
    );
    expect(written.python).toBe(pythonVersion);
    expect(written.os).toBe(os);
    const sources = written.packages.map(
      (p: { name: string; source: string }) => [p.name, p.source]
    );
    expect(sources).toEqual(expected.map(([n, , s]) => [n, s]));
    expect(
      written.packages.filter((p: { name: string }) => p.name === 'ipykernel')
    ).toEqual([
      expect.objectContaining({
        source: 'conda',
        build: 'pyh3099207_0',
        channel: 'conda-forge'
      })
    ]);
    expect(treeSnapshot(path.join(image, 'conda-meta'))).toEqual(before);
  });
});

describe('bad input: one line, a non-zero exit, nothing written', () => {
  let out = '';
  beforeEach(() => {
    out = freshDir('out-bad');
  });

  /** Run, then check the one-line error and the untouched out-dir; return the line. */
  function refused(
    args: string[],
    options: { unprivileged?: boolean } = {}
  ): string {
    const result = runMlc(args, options);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mlc: error: /);
    expect(fs.readdirSync(out)).toEqual([]);
    return lines[0];
  }

  it('refuses a missing prefix', () => {
    const missing = path.join(scratch.dir, 'no-such-prefix');
    expect(
      refused([
        'image',
        'manifest',
        '--prefix',
        missing,
        '--out-dir',
        out,
        '--name',
        'x'
      ])
    ).toContain(missing);
  });

  it('refuses a directory with neither conda-meta nor site-packages', () => {
    expect(
      refused([
        'image',
        'manifest',
        '--prefix',
        emptyRoot,
        '--out-dir',
        out,
        '--name',
        'x'
      ])
    ).toContain('neither conda-meta/ nor lib/python3.X/site-packages/');
  });

  it('refuses a malformed conda record and names it', () => {
    const broken = path.join(scratch.dir, 'broken-prefix');
    writeCondaMeta(broken, [
      condaRecord('zlib', '1.3.1', 'h4ab18f5_1', 'linux-64', ['lib/libz.so.1'])
    ]);
    const bad = path.join(broken, 'conda-meta', 'libfoo-1.0-h0_0.json');
    fs.writeFileSync(bad, JSON.stringify({ name: 'libfoo', build: 'h0_0' }));
    const line = refused([
      'image',
      'manifest',
      '--prefix',
      broken,
      '--out-dir',
      out,
      '--name',
      'x',
      '--root',
      emptyRoot
    ]);
    expect(line).toContain(bad);
    // The field named as every contract's reader names it (core/parseJson.ts).
    expect(line).toContain(': version: ');
  });

  it.each([
    [
      ['--build-date', '2024-13-01'],
      '--build-date "2024-13-01" is not an ISO 8601'
    ],
    [['--build-date', 'yesterday'], 'is not an ISO 8601'],
    [['--flavour', 'tpu'], '--flavour "tpu" is neither cpu nor gpu'],
    [['--frobnicate'], "unknown option '--frobnicate'"],
    [
      ['--name', 'two words'],
      '--name "two words" is not allowed: it contains whitespace'
    ]
  ])('refuses %j', (extra, message) => {
    expect(refused(manifestArgs(out, ['--name', 'x']).concat(extra))).toContain(
      message
    );
  });

  it('refuses to run without --name when the out-dir has no image.json', () => {
    expect(refused(manifestArgs(out, []))).toContain('--name is required');
  });

  it('refuses an out-dir that does not exist', () => {
    const missing = path.join(out, 'missing');
    expect(refused(manifestArgs(missing, ['--name', 'x']))).toContain(
      `the out-dir ${missing} does not exist`
    );
  });

  it('refuses an out-dir the user cannot write', () => {
    // `out` is root's and mode 0755: the unprivileged test user can read the prefix but not write there.
    const line = refused(manifestArgs(out, ['--name', 'x']), {
      unprivileged: true
    });
    expect(line).toContain(`cannot write into the out-dir ${out}`);
  });
});

/** The manifest arguments for the shared prefix and Alma root. */
function manifestArgs(out: string, extra: string[]): string[] {
  return [
    'image',
    'manifest',
    '--prefix',
    prefix,
    '--out-dir',
    out,
    '--root',
    root,
    '--build-date',
    BUILD_DATE,
    ...extra
  ];
}

/** The order the list promises, spelt out independently of the code under test. */
function byNameIgnoringCase([a]: string[], [b]: string[]): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : 0;
}

function freshDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(scratch.dir, `${label}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Run a command that must succeed. */
function run(file: string, args: string[]): IRunResult {
  const result = runCommand(file, args, {
    env: { PYTHONDONTWRITEBYTECODE: '1' }
  });
  if (result.code !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`
    );
  }
  return result;
}

/** Real pip, from the machine's Python, into one site-packages. */
function pipInstall(site: string, wheelFiles: string[]): void {
  fs.mkdirSync(site, { recursive: true });
  run('python3', [
    '-m',
    'pip',
    'install',
    '--no-index',
    '--no-deps',
    '--no-compile',
    '--disable-pip-version-check',
    '--no-warn-script-location',
    '--target',
    site,
    ...wheelFiles
  ]);
}

/** Build one pure-Python wheel per WHEELS entry with the machine's Python (zipfile, hashes as pip checks them). */
function buildWheels(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const script = String.raw`
import base64, hashlib, json, os, re, sys, zipfile
out = sys.argv[1]
for name, version in json.loads(sys.argv[2]):
    norm = re.sub(r"[-_.]+", "_", name).lower()
    info = "%s-%s.dist-info" % (norm, version)
    files = {
        norm + "/__init__.py": "VERSION = %r\n" % version,
        info + "/METADATA": "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: t\n\nLong text.\n" % (name, version),
        info + "/WHEEL": "Wheel-Version: 1.0\nGenerator: mlc-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    rows = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        rows.append("%s,sha256=%s,%d" % (path, digest, len(text.encode())))
    rows.append(info + "/RECORD,,")
    files[info + "/RECORD"] = "\n".join(rows) + "\n"
    with zipfile.ZipFile(os.path.join(out, "%s-%s-py3-none-any.whl" % (norm, version)), "w") as whl:
        for path, text in files.items():
            whl.writestr(path, text)
`;
  run('python3', ['-I', '-c', script, dir, JSON.stringify(WHEELS)]);
  return fs
    .readdirSync(dir)
    .sort()
    .map(name => path.join(dir, name));
}

/** Build empty noarch rpms (name, version, release) with the real rpmbuild; returns their files. */
function buildRpms(
  top: string,
  packages: Array<[string, string, string]>
): string[] {
  fs.mkdirSync(path.join(top, 'SPECS'), { recursive: true });
  return packages.map(([name, version, release]) => {
    const spec = path.join(top, 'SPECS', `${name}.spec`);
    const fields = `Name: ${name}\nVersion: ${version}\nRelease: ${release}\nSummary: t\nLicense: MIT\nBuildArch: noarch\n`;
    fs.writeFileSync(spec, `${fields}%description\nt\n%files\n`);
    run('rpmbuild', ['--define', `_topdir ${top}`, '-bb', spec]);
    return path.join(
      top,
      'RPMS',
      'noarch',
      `${name}-${version}-${release}.noarch.rpm`
    );
  });
}

function wheelOf(name: string): string {
  const norm = name.toLowerCase().replace(/[-_.]+/g, '_');
  const file = wheels.find(w => path.basename(w).startsWith(`${norm}-`));
  if (!file) {
    throw new Error(`no wheel for ${name}`);
  }
  return file;
}

const EMPTY_SHA256 =
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A conda-meta record with the fields and shape micromamba writes. */
function condaRecord(
  name: string,
  version: string,
  build: string,
  subdir: string,
  files: string[]
): Record<string, unknown> {
  const fn = `${name}-${version}-${build}.conda`;
  const channel = `https://conda.anaconda.org/conda-forge/${subdir}`;
  return {
    arch: subdir === 'noarch' ? null : 'x86_64',
    build,
    build_number: Number(/_(\d+)$/.exec(build)?.[1] ?? 0),
    channel,
    constrains: [],
    depends:
      name === 'python'
        ? ['libzlib >=1.2.13,<2.0.0a0', 'openssl >=3.0.12,<4.0a0']
        : [],
    extracted_package_dir: `/opt/conda/pkgs/${name}-${version}-${build}`,
    files,
    fn,
    license: 'BSD-3-Clause',
    link: { source: `/opt/conda/pkgs/${name}-${version}-${build}`, type: 1 },
    md5: '0123456789abcdef0123456789abcdef',
    name,
    paths_data: {
      paths: files.map(file => ({
        _path: file,
        path_type: 'hardlink',
        sha256: EMPTY_SHA256,
        size_in_bytes: 0
      })),
      paths_version: 1
    },
    platform: subdir === 'noarch' ? null : 'linux',
    requested_spec: name,
    sha256: EMPTY_SHA256,
    size: 12345,
    subdir,
    timestamp: 1702000000000,
    url: `${channel}/${fn}`,
    version
  };
}

/** conda-meta/ with one `<name>-<version>-<build>.json` per record and a history file. */
function writeCondaMeta(
  target: string,
  records: Array<Record<string, unknown>>
): void {
  const meta = path.join(target, 'conda-meta');
  fs.mkdirSync(meta, { recursive: true });
  const dists = records.map(r => `${r.name}-${r.version}-${r.build}`);
  records.forEach((record, i) => {
    fs.writeFileSync(
      path.join(meta, `${dists[i]}.json`),
      JSON.stringify(record, null, 2)
    );
  });
  const history = dists.map(d => `+conda-forge::${d}\n`).join('');
  fs.writeFileSync(
    path.join(meta, 'history'),
    `==> 2024-05-01 12:00:00 <==\n${history}`
  );
}

/** The installed packages of a dpkg admin dir, as dpkg-query reports them. */
function dpkgOracle(adminDir: string): Map<string, string> {
  const format = '${Package}\t${Version}\t${db:Status-Status}\n';
  const output = run('dpkg-query', [
    `--admindir=${adminDir}`,
    '-W',
    '-f',
    format
  ]).stdout;
  const installed = new Map<string, string>();
  for (const line of output.split('\n')) {
    const [name, version, status] = line.split('\t');
    if (status === 'installed' && !installed.has(name)) {
      installed.set(name, version);
    }
  }
  return installed;
}

/** Every path below `dir` with its size, mode and mtime: any write shows. */
function treeSnapshot(dir: string): string[] {
  const lines: string[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current).sort()) {
      const full = path.join(current, entry);
      const stat = fs.lstatSync(full);
      lines.push(
        `${path.relative(dir, full)}\t${stat.size}\t${stat.mode}\t${stat.mtimeMs}`
      );
      if (stat.isDirectory()) {
        walk(full);
      }
    }
  };
  walk(dir);
  return lines;
}
