/**
 * The conda side of the env-life contract (src/core/condaSpec.ts): match
 * specs and channels never pass as options, paths or shell text, and the
 * conda installer's --json answer (micromamba's shape) is read with every
 * name, version, build, channel and digest validated; plus the changes and
 * image conflicts mlc derives from it (src/cli/env/condaRun.ts).
 */
import fc from 'fast-check';
import {
  channelOfRecord,
  condaChannelProblem,
  condaSpecProblem,
  parseCondaAnswer,
  type ICondaTransaction
} from '../../src/core/condaSpec';
import { condaChanges, exactCondaSpec } from '../../src/cli/env/condaRun';

describe('conda match specs', () => {
  it.each([
    'numpy',
    'numpy=1.26',
    'numpy==1.26.4',
    'numpy>=1.26,<2',
    'numpy=1.26.*',
    'numpy==1.26.4=py311h64a7726_0',
    '_libgcc_mutex',
    'python-dateutil>=2|<1'
  ])('accepts %s', spec => {
    expect(condaSpecProblem(spec)).toBeNull();
  });

  it.each([
    '-c',
    '--offline',
    '--prefix=/tmp',
    'conda-forge::numpy',
    'numpy 1.26',
    '$(touch x)',
    '../etc',
    'numpy;rm',
    'numpy\n--yes',
    ''
  ])('refuses %j', spec => {
    expect(condaSpecProblem(spec)).not.toBeNull();
  });

  it('never lets through anything starting with -, holding a space, a quote or a shell character other than the operators', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), text => {
        const problem = condaSpecProblem(text);
        if (text.startsWith('-') || /[\s$`;&()'"\\]/.test(text)) {
          expect(problem).not.toBeNull();
        }
        if (text.startsWith('-')) {
          expect(problem).toContain("starts with '-'");
        }
      })
    );
  });

  it('spells an exact record as name==version=build, which is a valid spec', () => {
    const spec = exactCondaSpec({ name: 'a', version: '1.0', build: 'h1_0' });
    expect(spec).toBe('a==1.0=h1_0');
    expect(condaSpecProblem(spec)).toBeNull();
  });
});

describe('channels', () => {
  it.each([
    'conda-forge',
    'owner/label/dev',
    'https://conda.anaconda.org/conda-forge',
    'file:///srv/channel'
  ])('accepts %s', channel => {
    expect(condaChannelProblem(channel)).toBeNull();
  });

  it.each([
    '-c',
    '--override-channels',
    'file:///a b',
    'file:///srv/../etc',
    'javascript://x',
    'a\nb',
    '$(id)'
  ])('refuses %j', channel => {
    expect(condaChannelProblem(channel)).not.toBeNull();
  });

  it("gives a record's channel without its platform subdirectory", () => {
    expect(
      channelOfRecord('https://conda.anaconda.org/conda-forge/linux-64')
    ).toBe('https://conda.anaconda.org/conda-forge');
    expect(channelOfRecord('file:///srv/ch/noarch/')).toBe('file:///srv/ch');
    expect(channelOfRecord('file:///srv/ch/')).toBe('file:///srv/ch');
    expect(channelOfRecord('-c x')).toBeNull();
    expect(channelOfRecord(42)).toBeNull();
  });
});

describe("the conda installer's --json answer", () => {
  const entry = (name: string, version: string, more = {}) => ({
    name,
    version,
    build_string: '0',
    channel: 'file:///srv/ch/noarch',
    ...more
  });
  const answer = (link: unknown[], unlink: unknown[] = []) =>
    JSON.stringify({
      actions: { LINK: link, UNLINK: unlink, PREFIX: '/env' },
      dry_run: true,
      prefix: '/env',
      success: true
    });

  it("reads micromamba's shape, after lines that are not JSON", () => {
    const parsed = parseCondaAnswer(
      `DryRunExit: Dry run. Exiting.\n${answer(
        [entry('a', '2.0', { sha256: 'f'.repeat(64), md5: 'e'.repeat(32) })],
        [entry('a', '1.0')]
      )}\n`
    );
    expect(parsed).toEqual({
      ok: true,
      value: {
        success: true,
        dryRun: true,
        link: [
          {
            name: 'a',
            version: '2.0',
            build: '0',
            channel: 'file:///srv/ch',
            sha256: 'f'.repeat(64),
            md5: 'e'.repeat(32)
          }
        ],
        unlink: [
          { name: 'a', version: '1.0', build: '0', channel: 'file:///srv/ch' }
        ]
      }
    });
    const changes = condaChanges(
      (parsed as { value: ICondaTransaction }).value
    );
    expect(changes).toEqual([
      { name: 'a', from: '1.0', to: '2.0', kind: 'upgrade', installer: 'conda' }
    ]);
  });

  it('reads "nothing to do" (no actions) as an empty transaction', () => {
    expect(
      parseCondaAnswer(
        '{"success": true, "message": "All requested packages already installed"}'
      )
    ).toEqual({
      ok: true,
      value: { success: true, dryRun: false, link: [], unlink: [] }
    });
  });

  it.each([
    ['not JSON', 'garbage {{{'],
    ['no JSON', ''],
    ['an array', '[1]'],
    ['a hostile name', answer([entry('../../etc/passwd', '1')])],
    ['an option as name', answer([entry('--force', '1')])],
    ['a hostile version', answer([entry('a', '1 --yes')])],
    ['a hostile build', answer([entry('a', '1', { build_string: '../x' })])],
    ['a hostile channel', answer([entry('a', '1', { channel: '-c /etc' })])],
    ['a bad digest', answer([entry('a', '1', { sha256: 'zz' })])],
    ['LINK not a list', '{"actions": {"LINK": "a"}}'],
    [
      'too many packages',
      answer(Array.from({ length: 5001 }, (_, i) => entry(`p${i}`, '1')))
    ],
    ['a huge answer', `{"x": "${'a'.repeat((32 << 20) + 10)}"}`]
  ])('refuses %s', (_label, text) => {
    expect(parseCondaAnswer(text).ok).toBe(false);
  });

  it('never accepts a LINK name that is not a conda name, whatever it is', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), name => {
        const parsed = parseCondaAnswer(answer([entry(name, '1')]));
        if (parsed.ok) {
          expect(name).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/);
        }
      })
    );
  });
});
