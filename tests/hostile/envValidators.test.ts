/**
 * Property-based tests (fast-check) for the validators every name and path
 * read from a user-editable file passes, and for the env record reader:
 * arbitrary text never throws and never yields a traversal.
 */
import fc from 'fast-check';
import { parseEnvRecord } from '../../src/core/envRecord';
import {
  condaRecordFileProblem,
  envPrefixProblem,
  kernelNameProblem,
  recordedPathProblem,
  userPathProblem
} from '../../src/core/problemText';
import { normalizeAbsolute } from '../../src/core/validate';
import { envNameProblem } from '../../src/core/problemText';
import { hasControlCharacter } from '../../src/core/quote';

const RUNS = { numRuns: 2000 };

/** Strings biased towards the characters that make trouble in paths. */
const hostileText = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      '.',
      '/',
      '..',
      '\\',
      ':',
      '\n',
      '\0',
      '\uFFFD',
      '\u202e',
      'a',
      '-',
      '_',
      'é',
      '\uD800'
    ),
    maxLength: 30
  }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 })
);

function escapes(name: string, root = '/r'): boolean {
  const joined = normalizeAbsolute(`${root}/${name}`);
  return !joined.startsWith(`${root}/`) || joined === root;
}

describe('kernel names', () => {
  it('an accepted kernel name stays one directory below the kernels folder', () => {
    fc.assert(
      fc.property(hostileText, name => {
        if (kernelNameProblem(name) === null) {
          expect(escapes(name)).toBe(false);
          expect(name.includes('/')).toBe(false);
          expect(name.startsWith('.')).toBe(false);
        }
      }),
      RUNS
    );
  });

  it('the names mlc makes are accepted', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,60}$/), name => {
        expect(kernelNameProblem(name)).toBeNull();
      }),
      RUNS
    );
  });

  it.each([
    '.',
    '..',
    '../x',
    '../../x',
    '/',
    'a/b',
    '',
    '.hidden',
    'UPPER',
    'x'.repeat(129)
  ])('%j is refused', name => {
    expect(kernelNameProblem(name)).not.toBeNull();
  });
});

describe('conda record file names (.mlc-base-records lines)', () => {
  it('an accepted line is a plain *.json file name', () => {
    fc.assert(
      fc.property(hostileText, line => {
        if (condaRecordFileProblem(line) === null) {
          expect(line.endsWith('.json')).toBe(true);
          expect(line.includes('/')).toBe(false);
          expect(line.startsWith('.')).toBe(false);
          expect(escapes(line)).toBe(false);
        }
      }),
      RUNS
    );
  });

  it('real record names are accepted', () => {
    for (const name of [
      'python-3.11.9-hb806964_0_cpython.json',
      '_libgcc_mutex-0.1-conda_forge.json',
      'ca-certificates-2024.2.2-hbcca054_0.json',
      'python_abi-3.11-4_cp311.json',
      'libzlib-1.3.1-h4ab18f5_1.json'
    ]) {
      expect(condaRecordFileProblem(name)).toBeNull();
    }
  });

  it.each([
    '../x-1-0.json',
    '../../home/u/thesis.tex',
    '/etc/passwd',
    'a/b-1-0.json',
    '..json',
    'x-1-0.json\n',
    'x.json',
    ''
  ])('%j is refused', line => {
    expect(condaRecordFileProblem(line)).not.toBeNull();
  });
});

describe('paths', () => {
  it('a recorded path that is accepted is absolute and normal', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          hostileText,
          hostileText.map(text => `/${text}`)
        ),
        path => {
          if (recordedPathProblem(path) === null) {
            expect(path.startsWith('/')).toBe(true);
            expect(normalizeAbsolute(path)).toBe(path);
            expect(hasControlCharacter(path) || path.includes('\uFFFD')).toBe(
              false
            );
          }
        }
      ),
      RUNS
    );
  });

  it('an accepted env prefix has no ":" and no replacement characters', () => {
    fc.assert(
      fc.property(hostileText, path => {
        if (envPrefixProblem(path) === null) {
          expect(path.includes(':')).toBe(false);
          expect(userPathProblem(path)).toBeNull();
        }
      }),
      RUNS
    );
  });

  it('an accepted env name is one path component', () => {
    fc.assert(
      fc.property(hostileText, name => {
        if (envNameProblem(name) === null) {
          expect(name.includes('/')).toBe(false);
          expect(['.', '..']).not.toContain(name);
        }
      }),
      RUNS
    );
  });
});

describe('the env record reader', () => {
  const valid = {
    schemaVersion: 1,
    name: 'e',
    prefix: '/home/u/envs/e',
    basePrefix: '/opt/conda',
    baseImage: '',
    python: '3.11',
    createdAt: '2026-01-01T00:00:00Z',
    mode: 'host',
    kernelName: 'mlc-e-12345678'
  };

  it('arbitrary text never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), text => {
        const parsed = parseEnvRecord(text);
        expect(typeof parsed.ok).toBe('boolean');
      }),
      RUNS
    );
  });

  it('a record with any field replaced by hostile text is either refused or safe to use as paths', () => {
    const fields = [
      'name',
      'prefix',
      'basePrefix',
      'kernelName',
      'containerImage'
    ] as const;
    fc.assert(
      fc.property(fc.constantFrom(...fields), hostileText, (field, value) => {
        const parsed = parseEnvRecord(
          JSON.stringify({ ...valid, [field]: value })
        );
        if (parsed.ok) {
          const record = parsed.value;
          if (record.kernelName !== null) {
            expect(kernelNameProblem(record.kernelName)).toBeNull();
            expect(escapes(record.kernelName)).toBe(false);
          }
          expect(recordedPathProblem(record.prefix)).toBeNull();
          expect(recordedPathProblem(record.basePrefix)).toBeNull();
          expect(envNameProblem(record.name)).toBeNull();
        }
      }),
      RUNS
    );
  });

  it.each(['.', '..', '../../x', 'a/b'])(
    'kernelName %j is refused with a message naming the field',
    name => {
      const parsed = parseEnvRecord(
        JSON.stringify({ ...valid, kernelName: name })
      );
      expect(parsed.ok).toBe(false);
      expect(parsed.ok ? '' : parsed.error).toMatch(/kernelName/);
    }
  );

  it('the valid record is accepted', () => {
    expect(parseEnvRecord(JSON.stringify(valid)).ok).toBe(true);
  });
});
