/**
 * Property-based tests of the readers behind `mlc image manifest` and the
 * launcher (src/core/packageManifest.ts, src/core/imageMetadata.ts): arbitrary
 * text never throws, errors are one line, what is written reads back, and
 * the work grows linearly with the input (a step counter, not a clock).
 */
import * as fc from 'fast-check';
import {
  parseImageMetadata,
  type ImagePackage
} from '../../src/core/imageMetadata';
import {
  buildImageMetadata,
  condaChannelName,
  condaOwnedDistInfos,
  formatImageJson,
  formatPackageList,
  isIsoDateTime,
  osDisplayName,
  packageFieldProblem,
  parseCondaRecord,
  parseCoreMetadata,
  parseDistInfoName,
  parseDpkgStatus,
  parseOsRelease,
  parsePackageList,
  parseRpmQuery
} from '../../src/core/packageManifest';
import { growth } from './scanCounter';

const codeUnit = fc
  .integer({ min: 0, max: 0xffff })
  .map(code => String.fromCharCode(code));
/** Text biased towards what the parsers split and match on. */
const syntax = fc.constantFrom(
  '\n',
  '\r\n',
  ' ',
  '\t',
  ':',
  '=',
  '"',
  "'",
  '\\',
  '/',
  '-',
  '.',
  '#',
  '.dist-info',
  'Package',
  'Status: install ok installed',
  'Version',
  'Name',
  '{',
  '}',
  '[',
  ']',
  ',',
  'a',
  '0'
);
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: codeUnit }),
  fc.array(syntax, { maxLength: 60 }).map(parts => parts.join(''))
);
const anyJson = fc.oneof(
  fc.jsonValue().map(value => JSON.stringify(value)),
  fc
    .record(
      {
        name: fc.oneof(anyText, fc.jsonValue()),
        version: fc.oneof(anyText, fc.jsonValue()),
        files: fc.oneof(fc.array(anyText), fc.jsonValue()),
        __proto__: fc.jsonValue(),
        channel: fc.oneof(anyText, fc.jsonValue())
      },
      { requiredKeys: [] }
    )
    .map(value => JSON.stringify(value))
);

const oneLine = /^[^\n\r]*$/;

describe('the image readers on arbitrary input', () => {
  it('never throw, and name what is wrong in one line', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, anyJson), text => {
        const record = parseCondaRecord(text, 'conda-meta/x.json');
        if (!record.ok) {
          expect(record.error).toMatch(oneLine);
          expect(record.error.startsWith('conda-meta/x.json')).toBe(true);
        } else {
          expect(typeof record.value.name).toBe('string');
          expect(
            record.value.files.every(file => typeof file === 'string')
          ).toBe(true);
          condaOwnedDistInfos([record.value]);
        }
        const image = parseImageMetadata(text);
        if (!image.ok) {
          expect(image.error).toMatch(oneLine);
        }
        parseCoreMetadata(text);
        parseDistInfoName(text);
        parseDpkgStatus(text);
        parseRpmQuery(text);
        osDisplayName(parseOsRelease(text));
        condaChannelName(text, text);
        packageFieldProblem('name', text);
        parsePackageList(text);
        isIsoDateTime(text);
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { numRuns: 500 }
    );
  });

  it('read back the list and the image.json they write', () => {
    const field = fc
      .string({ unit: codeUnit, minLength: 1, maxLength: 20 })
      .filter(value => packageFieldProblem('name', value) === null);
    const pkg = fc.record({
      name: field,
      version: field,
      source: fc.constantFrom(
        'conda' as const,
        'pip' as const,
        'system' as const
      )
    });
    fc.assert(
      fc.property(
        fc.array(pkg, { maxLength: 20 }),
        field,
        (packages: ImagePackage[], name) => {
          expect(parsePackageList(formatPackageList(packages))).toEqual(
            packages.map(({ name: n, version }) => ({ name: n, version }))
          );
          const built = buildImageMetadata(
            {
              name,
              tag: '',
              os: '',
              python: '3.11.7',
              flavour: 'cpu',
              buildDate: '2024-05-01',
              prefix: '/opt/conda'
            },
            packages
          );
          expect(built.ok).toBe(true);
          if (built.ok) {
            expect(parseImageMetadata(formatImageJson(built.value))).toEqual({
              ok: true,
              value: built.value
            });
          }
        }
      )
    );
  });

  it('list exactly the installed packages of a dpkg status', () => {
    const stanza = fc.record({
      name: fc.stringMatching(/^[a-z0-9][a-z0-9+.-]{0,15}$/),
      version: fc.stringMatching(/^[0-9][A-Za-z0-9.+~:-]{0,10}$/),
      state: fc.constantFrom(
        'installed',
        'config-files',
        'half-installed',
        'not-installed'
      ),
      extra: fc.array(
        fc.constantFrom(
          'Description: x\n more\n .\n',
          'Depends: libc6\n',
          'Essential: yes\n'
        ),
        { maxLength: 3 }
      ),
      crlf: fc.boolean()
    });
    fc.assert(
      fc.property(fc.array(stanza, { maxLength: 15 }), stanzas => {
        const text = stanzas
          .map(s => {
            const body = `Package: ${s.name}\nStatus: install ok ${s.state}\n${s.extra.join('')}Version: ${s.version}\n`;
            return s.crlf ? body.replace(/\n/g, '\r\n') : body;
          })
          .join('\n');
        expect(parseDpkgStatus(text)).toEqual(
          stanzas
            .filter(s => s.state === 'installed')
            .map(s => ({ name: s.name, version: s.version }))
        );
      })
    );
  });
});

describe('the image readers take linear work', () => {
  const sizes = [1000, 16000];
  /** Inputs that made or could make a parser rescan: long runs of what it splits or skips on. */
  const cases: Array<
    [string, (size: number) => string, (text: string) => unknown]
  > = [
    [
      'a long conda file path',
      n => 'lib/' + 'a/'.repeat(n) + 'x',
      text =>
        condaOwnedDistInfos([
          { name: 'x', version: '1', files: [text, text + '.dist-info/y'] }
        ])
    ],
    [
      'many conda file paths',
      n => 'p',
      text =>
        condaOwnedDistInfos([
          {
            name: 'x',
            version: '1',
            files: Array.from(
              { length: 1000 },
              (_, i) => `${text}/${i}/a.dist-info/RECORD`
            )
          }
        ])
    ],
    [
      'a channel of slashes',
      n => 'https://x/' + '/'.repeat(n) + 'y',
      text => condaChannelName(text, 'linux-64')
    ],
    [
      'a dpkg status of many stanzas',
      n =>
        'Package: a\nStatus: install ok installed\nVersion: 1\n\n'.repeat(
          n / 10
        ),
      parseDpkgStatus
    ],
    [
      'a dpkg status of blank-ish lines',
      n => 'Package: a\n' + ' \t\n'.repeat(n) + 'x',
      parseDpkgStatus
    ],
    [
      'a dpkg status of continuation lines',
      n =>
        'Package: a\nDescription: d\n' + ' more\n'.repeat(n) + 'Version: 1\n',
      parseDpkgStatus
    ],
    [
      'a METADATA with a long header',
      n =>
        'Name: a\nVersion: 1\nSummary: ' +
        'x '.repeat(n) +
        '\n\n' +
        'body\n'.repeat(n),
      parseCoreMetadata
    ],
    [
      'an os-release of many lines',
      n => 'NAME="A\\"b"\n'.repeat(n / 5),
      parseOsRelease
    ],
    ['an os-release line of spaces', n => ' '.repeat(n) + '=x', parseOsRelease],
    ['an rpm answer', n => 'pkg\t1.0-1\n'.repeat(n / 5), parseRpmQuery],
    ['a package list', n => 'a 1\n'.repeat(n / 2), parsePackageList],
    [
      'a dist-info name of dashes',
      n => 'a' + '-'.repeat(n) + '.dist-inf',
      parseDistInfoName
    ]
  ];

  it.each(cases)('on %s', (_label, make, parse) => {
    // Linear: about the same work per character at 16 times the size.
    expect(growth(make, parse, sizes)).toBeLessThan(2);
  });
});
