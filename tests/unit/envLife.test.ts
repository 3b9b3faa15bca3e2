/**
 * The env-life contract (src/core/envLife.ts): revision and lock parsing
 * refuse what is not a package name or version, changes between package
 * sets, pip's installation report and the pip specs' checks
 * (src/cli/env/install.ts).
 */
import fc from 'fast-check';
import {
  changeKind,
  compareVersions,
  imageChangeText,
  packageChanges,
  parseEnvLock,
  parseRevision,
  shadowText
} from '../../src/core/envLife';
import { parsePipReport, validateSpecs } from '../../src/cli/env/install';

const identity = {
  reference: 'ml-base:1',
  buildDate: '2026-01-01T00:00:00Z',
  packagesDigest: 'a'.repeat(64),
  packageCount: 3,
  source: 'image.json'
};

function revision(pip: unknown): string {
  return JSON.stringify({
    schemaVersion: 1,
    number: 2,
    time: '2026-01-01T00:00:00Z',
    command: 'install',
    args: ['mlc-demo-a'],
    image: identity,
    python: '3.11.7',
    pip,
    conda: []
  });
}

describe('revision files', () => {
  it('accept a well-formed revision', () => {
    const parsed = parseRevision(
      revision([{ name: 'mlc-demo-a', version: '2.0' }]),
      '2.json'
    );
    expect(parsed.ok).toBe(true);
  });

  it.each([
    ['../etc/passwd', '1.0'],
    ['-r', '1.0'],
    ['ok', '--index-url=x'],
    ['ok', '1.0 ; rm -rf ~'],
    ['', '1.0']
  ])('refuse the pin %s %s', (name, version) => {
    const parsed = parseRevision(revision([{ name, version }]), '2.json');
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toMatch(/^2\.json: pip\.0\./);
  });

  it('never accept a name that starts with - or holds a / (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), name => {
        const parsed = parseRevision(
          revision([{ name, version: '1' }]),
          'r.json'
        );
        if (parsed.ok) {
          expect(name.startsWith('-')).toBe(false);
          expect(name).not.toMatch(/[/\s\\]/);
        }
      })
    );
  });

  it('refuse a lock file of another kind or version in one line', () => {
    const parsed = parseEnvLock('{"kind":"x"}', 'the lock file f');
    expect(parsed.ok ? '' : parsed.error).toMatch(/^the lock file f: kind: /);
    expect(parseEnvLock('nope', 'f').ok).toBe(false);
  });
});

describe('package changes', () => {
  it('names installs, upgrades, downgrades and removals, names compared normalised', () => {
    expect(
      packageChanges(
        [
          { name: 'Mlc_Demo_A', version: '1.0' },
          { name: 'gone', version: '3' },
          { name: 'down', version: '2.10' }
        ],
        [
          { name: 'mlc-demo-a', version: '2.0' },
          { name: 'new', version: '1' },
          { name: 'down', version: '2.9' }
        ],
        'pip'
      ).map(change => `${change.kind} ${change.name}`)
    ).toEqual([
      'downgrade down',
      'remove gone',
      'upgrade mlc-demo-a',
      'install new'
    ]);
  });

  it('orders versions numerically', () => {
    expect(compareVersions('1.10', '1.9')).toBeGreaterThan(0);
    expect(compareVersions('2.0', '2.0')).toBe(0);
  });

  it('words what an installer does to a package as the previews show it', () => {
    expect(changeKind(null, '1.0')).toBe('install');
    expect(changeKind('1.9', '1.10')).toBe('upgrade');
    expect(changeKind('2.0', '1.26.4')).toBe('downgrade');
    expect(changeKind('2.0', '2.0')).toBe('reinstall');
  });

  it('words a shadow and an image change as the notice shows them', () => {
    expect(
      shadowText({ name: 'numpy', imageVersion: '1.26.4', envVersion: '2.1.3' })
    ).toBe('numpy 1.26.4 (image) -> 2.1.3 (env)');
    expect(
      imageChangeText({
        recorded: identity as never,
        current: identity as never,
        recordedBuild: 'a',
        currentBuild: 'b',
        upgraded: [{ name: 'x', from: '1', to: '2' }],
        added: [],
        removed: []
      })
    ).toBe(
      'the image under the env changed since it was built (built a -> b): 1 upgraded, 0 added, 0 removed'
    );
  });
});

describe("pip's installation report", () => {
  it('reads names, versions and sha256 hashes', () => {
    const report = JSON.stringify({
      version: '1',
      install: [
        {
          metadata: { name: 'mlc-demo-a', version: '2.0' },
          download_info: {
            url: 'http://127.0.0.1/x.whl',
            archive_info: { hashes: { sha256: 'b'.repeat(64) } }
          }
        }
      ]
    });
    expect(parsePipReport(report)).toEqual([
      { name: 'mlc-demo-a', version: '2.0', hash: `sha256:${'b'.repeat(64)}` }
    ]);
  });

  it('refuses garbage and hostile names', () => {
    expect(parsePipReport('<html>')).toBeNull();
    expect(parsePipReport('{"install": 3}')).toBeNull();
    expect(
      parsePipReport(
        JSON.stringify({
          install: [{ metadata: { name: '../x', version: '1' } }]
        })
      )
    ).toBeNull();
  });
});

describe('pip specs as given', () => {
  it('echoes a bad spec escaped: a line break or terminal escape cannot forge a line', () => {
    for (const [raw, shown] of [
      ['pkg\nERROR: forged', 'pkg\\nERROR: forged'],
      ['\u001b[31mred', '\\u001B[31mred'],
      ['x;\r\u2028y', 'x;\\r\\u2028y']
    ]) {
      expect(() => validateSpecs([raw], '/')).toThrow(
        `invalid package spec '${shown}'`
      );
    }
  });

  it('keeps a good spec, spaces dropped', () => {
    expect(validateSpecs(['numpy >= 1.26, <2'], '/')).toEqual([
      'numpy>=1.26,<2'
    ]);
  });
});
