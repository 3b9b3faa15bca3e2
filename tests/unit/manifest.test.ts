/** The pure parsing and formatting of `mlc image manifest` (src/core/packageManifest.ts). */
import {
  parseImageMetadata,
  type ImagePackage
} from '../../src/core/imageMetadata';
import {
  buildImageMetadata,
  comparePackages,
  condaChannelName,
  condaOwnedDistInfos,
  condaPackage,
  formatImageJson,
  formatPackageList,
  installedByConda,
  isIsoDateTime,
  isoSeconds,
  mergePackages,
  osDisplayName,
  packageFieldProblem,
  packageKey,
  parseCondaRecord,
  parseCoreMetadata,
  parseDistInfoName,
  parseDpkgStatus,
  parseOsRelease,
  parsePackageList,
  parseRpmQuery,
  type IImageFacts
} from '../../src/core/packageManifest';

/** A record with the shape micromamba writes (trimmed file lists). */
const NUMPY_RECORD = {
  arch: 'x86_64',
  build: 'py311h64a7726_0',
  build_number: 0,
  channel: 'https://conda.anaconda.org/conda-forge/linux-64',
  constrains: ['numpy-base <0a0'],
  depends: ['libblas >=3.9.0,<4.0a0', 'python >=3.11,<3.12.0a0'],
  files: [
    'bin/f2py',
    'lib/python3.11/site-packages/numpy-1.26.4.dist-info/INSTALLER',
    'lib/python3.11/site-packages/numpy-1.26.4.dist-info/METADATA',
    'lib/python3.11/site-packages/numpy/__init__.py'
  ],
  fn: 'numpy-1.26.4-py311h64a7726_0.conda',
  license: 'BSD-3-Clause',
  link: { source: '/opt/conda/pkgs/numpy-1.26.4-py311h64a7726_0', type: 1 },
  md5: 'a502d7aad449a1206efb366d6a12c52d',
  name: 'numpy',
  paths_data: {
    paths: [
      {
        _path: 'bin/f2py',
        path_type: 'hardlink',
        sha256: 'ab',
        size_in_bytes: 10
      }
    ],
    paths_version: 1
  },
  platform: 'linux',
  requested_spec: 'numpy',
  sha256: '3f4365e11b28e244c95ba8579942b0802761ba7bb31c026f50d1a9ea9c728149',
  size: 8065890,
  subdir: 'linux-64',
  timestamp: 1707225421156,
  url: 'https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py311h64a7726_0.conda',
  version: '1.26.4'
};

const pkg = (
  name: string,
  version: string,
  source: ImagePackage['source']
): ImagePackage => ({ name, version, source });

describe('conda records', () => {
  it('reads name, version, build, channel and files from a full record', () => {
    const parsed = parseCondaRecord(
      JSON.stringify(NUMPY_RECORD),
      'conda-meta/numpy.json'
    );
    expect(parsed).toEqual({
      ok: true,
      value: {
        name: 'numpy',
        version: '1.26.4',
        build: 'py311h64a7726_0',
        channel: 'https://conda.anaconda.org/conda-forge/linux-64',
        subdir: 'linux-64',
        files: NUMPY_RECORD.files
      }
    });
  });

  it('names the file and the field when a record is malformed', () => {
    expect(parseCondaRecord('{"name": "x",', 'conda-meta/x-1-0.json')).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^conda-meta\/x-1-0\.json is not valid JSON \(.+\)$/
      )
    });
    const noVersion = parseCondaRecord(
      JSON.stringify({ ...NUMPY_RECORD, version: undefined }),
      'conda-meta/numpy.json'
    );
    expect(noVersion.ok).toBe(false);
    expect(!noVersion.ok && noVersion.error).toMatch(
      /^conda-meta\/numpy\.json: version: /
    );
    const spaced = parseCondaRecord(
      JSON.stringify({ ...NUMPY_RECORD, name: 'num py' }),
      'conda-meta/n.json'
    );
    expect(!spaced.ok && spaced.error).toBe(
      'conda-meta/n.json: name: contains whitespace or a control character'
    );
    const files = parseCondaRecord(
      JSON.stringify({ ...NUMPY_RECORD, files: 'bin/f2py' }),
      'conda-meta/n.json'
    );
    expect(!files.ok && files.error).toMatch(/^conda-meta\/n\.json: files: /);
    expect(parseCondaRecord('[]', 'conda-meta/a.json').ok).toBe(false);
  });

  it('accepts a minimal record without files', () => {
    const parsed = parseCondaRecord(
      '{"name": "_libgcc_mutex", "version": "0.1"}',
      'f'
    );
    expect(parsed).toEqual({
      ok: true,
      value: { name: '_libgcc_mutex', version: '0.1', files: [] }
    });
  });

  it('shortens channels the way users name them', () => {
    expect(
      condaChannelName(
        'https://conda.anaconda.org/conda-forge/linux-64',
        'linux-64'
      )
    ).toBe('conda-forge');
    expect(
      condaChannelName('https://conda.anaconda.org/conda-forge/noarch')
    ).toBe('conda-forge');
    expect(
      condaChannelName(
        'https://conda.anaconda.org/conda-forge/noarch/',
        'noarch'
      )
    ).toBe('conda-forge');
    expect(
      condaChannelName('https://conda.anaconda.org/pytorch/linux-64')
    ).toBe('pytorch');
    expect(condaChannelName('conda-forge')).toBe('conda-forge');
    expect(condaChannelName('pkgs/main')).toBe('pkgs/main');
    expect(
      condaChannelName('https://repo.anaconda.com/pkgs/main/linux-64')
    ).toBe('https://repo.anaconda.com/pkgs/main');
  });

  it('turns a record into a conda package entry', () => {
    const parsed = parseCondaRecord(JSON.stringify(NUMPY_RECORD), 'f');
    expect(parsed.ok && condaPackage(parsed.value)).toEqual({
      name: 'numpy',
      version: '1.26.4',
      source: 'conda',
      build: 'py311h64a7726_0',
      channel: 'conda-forge'
    });
    expect(condaPackage({ name: 'x', version: '1', files: [] })).toEqual({
      name: 'x',
      version: '1',
      source: 'conda'
    });
  });

  it('finds the dist-info directories conda records own', () => {
    const owned = condaOwnedDistInfos([
      { name: 'numpy', version: '1.26.4', files: NUMPY_RECORD.files },
      {
        name: 'pytorch',
        version: '2.3.0',
        files: [
          'lib/python3.11/site-packages/torch-2.3.0+cu121.dist-info/RECORD',
          'lib/libtorch.so'
        ]
      },
      {
        name: 'zlib',
        version: '1.3',
        files: ['lib/libz.so.1', 'share/doc/x.dist-info.txt']
      }
    ]);
    expect([...owned].sort()).toEqual([
      'lib/python3.11/site-packages/numpy-1.26.4.dist-info',
      'lib/python3.11/site-packages/torch-2.3.0+cu121.dist-info'
    ]);
  });

  it('knows the installers of the conda family', () => {
    expect(installedByConda('conda\n')).toBe(true);
    expect(installedByConda(' Conda ')).toBe(true);
    expect(installedByConda('micromamba')).toBe(true);
    expect(installedByConda('pip\n')).toBe(false);
    expect(installedByConda('')).toBe(false);
  });
});

describe('pip metadata', () => {
  it('reads Name and Version from the header only', () => {
    const text = [
      'Metadata-Version: 2.1',
      'Name: zope.interface',
      'Version: 6.2',
      'Summary: Interfaces',
      'Classifier: A',
      '        continued line',
      '',
      'Name: not-this-one',
      'Version: 0'
    ].join('\r\n');
    expect(parseCoreMetadata(text)).toEqual({
      name: 'zope.interface',
      version: '6.2'
    });
  });

  it('keeps odd names and local version segments as written', () => {
    expect(
      parseCoreMetadata(
        'Metadata-Version: 2.1\nName: Odd.Name_pkg\nVersion: 2.1.0+cu121.local-7\n'
      )
    ).toEqual({
      name: 'Odd.Name_pkg',
      version: '2.1.0+cu121.local-7'
    });
  });

  it('gives null when Name or Version is missing', () => {
    expect(parseCoreMetadata('Metadata-Version: 2.1\nName: a\n')).toBeNull();
    expect(parseCoreMetadata('\nName: a\nVersion: 1\n')).toBeNull();
  });

  it('falls back to the dist-info directory name', () => {
    expect(parseDistInfoName('typing_extensions-4.12.2.dist-info')).toEqual({
      name: 'typing_extensions',
      version: '4.12.2'
    });
    expect(parseDistInfoName('torch-2.3.0+cu121.dist-info')).toEqual({
      name: 'torch',
      version: '2.3.0+cu121'
    });
    expect(parseDistInfoName('broken.dist-info')).toBeNull();
  });
});

describe('system packages', () => {
  const STATUS = [
    'Package: libc6',
    'Status: install ok installed',
    'Priority: optional',
    'Architecture: amd64',
    'Multi-Arch: same',
    'Version: 2.36-9+deb12u4',
    'Description: GNU C Library: Shared libraries',
    ' Contains the standard libraries.',
    ' .',
    ' Package: not-a-package',
    '',
    'Package: libc6',
    'Status: install ok installed',
    'Architecture: i386',
    'Version: 2.36-9+deb12u4',
    '',
    'Package: removed-but-configured',
    'Status: deinstall ok config-files',
    'Version: 1.0-1',
    '',
    'Package: libstdc++6',
    'Status: hold ok installed',
    'Version: 1:12.2.0-14~bpo1',
    'Conffiles:',
    ' /etc/x 0123',
    '',
    '',
    'Package: half',
    'Status: install reinstreq half-installed',
    'Version: 3',
    ''
  ].join('\n');

  it('lists the installed dpkg packages with their full versions', () => {
    expect(parseDpkgStatus(STATUS)).toEqual([
      { name: 'libc6', version: '2.36-9+deb12u4' },
      { name: 'libc6', version: '2.36-9+deb12u4' },
      { name: 'libstdc++6', version: '1:12.2.0-14~bpo1' }
    ]);
  });

  it('reads the rpm query output and drops the gpg-pubkey pseudo-packages', () => {
    const output =
      'bash\t5.1.8-9.el9\ngpg-pubkey\t8483c65d-5ccc5b19\nwhich\t2.21-29.el9\n\n';
    expect(parseRpmQuery(output)).toEqual([
      { name: 'bash', version: '5.1.8-9.el9' },
      { name: 'which', version: '2.21-29.el9' }
    ]);
  });

  it('reads os-release values however they are quoted', () => {
    const release = parseOsRelease(
      [
        '# comment',
        'NAME="AlmaLinux"',
        "VERSION='9.4 (Seafoam Ocelot)'",
        'ID=almalinux',
        'PRETTY_NAME="AlmaLinux 9.4 \\"Seafoam\\" \\$x"',
        'EMPTY=',
        'not a line'
      ].join('\n')
    );
    expect(release.get('NAME')).toBe('AlmaLinux');
    expect(release.get('VERSION')).toBe('9.4 (Seafoam Ocelot)');
    expect(release.get('ID')).toBe('almalinux');
    expect(release.get('PRETTY_NAME')).toBe('AlmaLinux 9.4 "Seafoam" $x');
    expect(release.get('EMPTY')).toBe('');
    expect(osDisplayName(release)).toBe('AlmaLinux 9.4 "Seafoam" $x');
    release.delete('PRETTY_NAME');
    expect(osDisplayName(release)).toBe('AlmaLinux 9.4 (Seafoam Ocelot)');
    expect(osDisplayName(new Map())).toBe('');
  });
});

describe('one list from three sources', () => {
  it('meets spellings of one name under one key', () => {
    expect(packageKey('typing_extensions')).toBe('typing-extensions');
    expect(packageKey('Typing.Extensions')).toBe('typing-extensions');
    expect(packageKey('ruamel.yaml.clib')).toBe('ruamel-yaml-clib');
    expect(packageKey('libstdc++6')).toBe('libstdc++6');
  });

  it('keeps each name once: conda over pip over system', () => {
    const merged = mergePackages({
      conda: [
        pkg('typing-extensions', '4.12.2', 'conda'),
        pkg('bash', '5.2.21', 'conda')
      ],
      pip: [
        pkg('typing_extensions', '4.9.0', 'pip'),
        pkg('requests', '2.32.3', 'pip'),
        pkg('Bash', '0.1', 'pip')
      ],
      system: [
        pkg('bash', '5.1.8-9.el9', 'system'),
        pkg('Requests', '2.25.1', 'system'),
        pkg('which', '2.21', 'system')
      ]
    });
    expect(merged).toEqual([
      pkg('bash', '5.2.21', 'conda'),
      pkg('requests', '2.32.3', 'pip'),
      pkg('typing-extensions', '4.12.2', 'conda'),
      pkg('which', '2.21', 'system')
    ]);
  });

  it('keeps one of a name repeated within a source, deterministically', () => {
    const merged = mergePackages({
      conda: [],
      pip: [],
      system: [
        pkg('libc6', '2.36-9', 'system'),
        pkg('libc6', '2.36-9', 'system'),
        pkg('LibC6', '2.0', 'system')
      ]
    });
    expect(merged).toEqual([pkg('LibC6', '2.0', 'system')]);
  });

  it('sorts case-insensitively in code-unit order', () => {
    const names = [
      'zeta',
      'Alpha',
      '_libgcc_mutex',
      'alpha2',
      'Beta',
      '7zip',
      'beta',
      'Ä-umlaut'
    ];
    const sorted = names
      .map(name => ({ name, version: '1' }))
      .sort(comparePackages)
      .map(p => p.name);
    expect(sorted).toEqual([
      '7zip',
      '_libgcc_mutex',
      'Alpha',
      'alpha2',
      'Beta',
      'beta',
      'zeta',
      'Ä-umlaut'
    ]);
  });

  it('refuses names and versions that would break a `name version` line', () => {
    expect(packageFieldProblem('name', 'ok.name_1')).toBeNull();
    expect(packageFieldProblem('version', '1:2.0~rc1+dfsg-1')).toBeNull();
    expect(packageFieldProblem('name', '')).toBe('the name is empty');
    expect(packageFieldProblem('version', '1 2')).toBe(
      'the version "1 2" contains whitespace or a control character'
    );
    expect(packageFieldProblem('name', 'a\nb')).toBe(
      'the name "a\\nb" contains whitespace or a control character'
    );
  });

  it('formats and reads back the seed list format', () => {
    const packages = [
      pkg('_libgcc_mutex', '0.1', 'conda'),
      pkg('Odd.Name_pkg', '1.0+local.7', 'pip')
    ];
    const text = formatPackageList(packages);
    expect(text).toBe('_libgcc_mutex 0.1\nOdd.Name_pkg 1.0+local.7\n');
    expect(parsePackageList(text)).toEqual([
      { name: '_libgcc_mutex', version: '0.1' },
      { name: 'Odd.Name_pkg', version: '1.0+local.7' }
    ]);
    expect(formatPackageList([])).toBe('');
  });
});

describe('dates', () => {
  it.each([
    '2024-05-01',
    '2024-02-29',
    '2024-05-01T12:30Z',
    '2024-05-01T12:30:00Z',
    '2024-05-01T12:30:00.123456+02:00',
    '2024-05-01T23:59:59-0530',
    '2024-05-01T12:30:00'
  ])('accepts %s', text => {
    expect(isIsoDateTime(text)).toBe(true);
  });

  it.each([
    '',
    'yesterday',
    '2023-02-29',
    '2024-13-01',
    '2024-04-31',
    '2024-05-01 12:30:00',
    '2024-05-01T24:00:00Z',
    '2024-05-01T12:60Z',
    '2024-05-01T12:30:00+25:00',
    '01/05/2024',
    '2024-05-01T12:30:00Z\n'
  ])('refuses %j', text => {
    expect(isIsoDateTime(text)).toBe(false);
  });

  it('writes instants to the second in UTC', () => {
    expect(isoSeconds(new Date(Date.UTC(2024, 4, 1, 12, 30, 5, 987)))).toBe(
      '2024-05-01T12:30:05Z'
    );
  });
});

describe('image.json', () => {
  const facts: IImageFacts = {
    name: 'ml-base',
    tag: 'alma9-python311',
    os: 'AlmaLinux 9.4 (Seafoam Ocelot)',
    python: '3.11.7',
    flavour: 'cpu',
    buildDate: '2024-05-01T12:30:00Z',
    prefix: '/opt/conda',
    dockerPath: 'docker.io/yesw2000/ml-base:alma9-python311'
  };
  const packages: ImagePackage[] = [
    {
      name: 'numpy',
      version: '1.26.4',
      source: 'conda',
      build: 'py311h64a7726_0',
      channel: 'conda-forge'
    },
    { name: 'Odd.Name_pkg', version: '1.0+local.7', source: 'pip' }
  ];

  it('puts the keys in the schema order and validates', () => {
    const built = buildImageMetadata(facts, packages);
    expect(built.ok).toBe(true);
    const text = built.ok ? formatImageJson(built.value) : '';
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text))).toEqual([
      'schemaVersion',
      'name',
      'tag',
      'os',
      'python',
      'flavour',
      'buildDate',
      'prefix',
      'dockerPath',
      'packages'
    ]);
    expect(Object.keys(JSON.parse(text).packages[0])).toEqual([
      'name',
      'version',
      'source',
      'build',
      'channel'
    ]);
    const back = parseImageMetadata(text);
    expect(back.ok && back.value).toEqual({
      schemaVersion: 1,
      ...facts,
      packages
    });
  });

  it('gives byte-equal text for equal input, whatever order the facts were given in', () => {
    const reordered = Object.fromEntries(
      Object.entries(facts).reverse()
    ) as unknown as IImageFacts;
    const a = buildImageMetadata(facts, packages);
    const b = buildImageMetadata(
      reordered,
      packages.map(p => ({ ...p }))
    );
    expect(
      a.ok && b.ok && formatImageJson(a.value) === formatImageJson(b.value)
    ).toBe(true);
  });

  it('leaves out an empty docker path and refuses what the schema refuses', () => {
    const built = buildImageMetadata({ ...facts, dockerPath: '' }, []);
    expect(built.ok && 'dockerPath' in built.value).toBe(false);
    const bad = buildImageMetadata({ ...facts, name: '' }, []);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^name: /);
  });
});
