/** The env-related additions to src/core/validate.ts and the conda record name parser. */
import { condaRecordParts } from '../../src/cli/env/base';
import fc from 'fast-check';
import {
  recordedPathIssue,
  shortDigest,
  userPathIssue
} from '../../src/core/validate';
import { envNameProblem, labelProblem } from '../../src/core/problemText';

describe('envNameProblem', () => {
  it('accepts shell syntax and non-ASCII, refuses names over 255 UTF-8 bytes', () => {
    expect(envNameProblem("it's $(x); `y` ünï")).toBeNull();
    expect(envNameProblem('€'.repeat(85))).toBeNull();
    expect(envNameProblem('€'.repeat(86))).toBe(
      'the env name is longer than 255 bytes in UTF-8'
    );
  });
});

describe('labelProblem', () => {
  it('wants one non-empty line of at most 200 characters', () => {
    expect(labelProblem('My env (ml-base)')).toBeNull();
    expect(labelProblem('  ')).toBe('it is empty');
    expect(labelProblem('a\nb')).toBe(
      'it contains a newline or control character'
    );
    expect(labelProblem('x'.repeat(201))).toBe(
      'it is longer than 200 characters'
    );
  });
});

describe('shortDigest', () => {
  it('is 8 stable hex digits', () => {
    expect(shortDigest('myEnv')).toMatch(/^[0-9a-f]{8}$/);
    expect(shortDigest('myEnv')).toBe(shortDigest('myEnv'));
    expect(shortDigest('myEnv')).not.toBe(shortDigest('myEnv2'));
  });
});

describe('condaRecordParts', () => {
  it('splits name-version-build.json, names with dashes included', () => {
    expect(condaRecordParts('python-3.11.7-hab00c5b_1_cpython.json')).toEqual({
      name: 'python',
      version: '3.11.7',
      build: 'hab00c5b_1_cpython'
    });
    expect(condaRecordParts('mlc-condaprobe-1.0-0.json')).toEqual({
      name: 'mlc-condaprobe',
      version: '1.0',
      build: '0'
    });
    expect(condaRecordParts('history')).toBeNull();
  });
});

describe('recordedPathIssue and userPathIssue', () => {
  // The checks as they were written before their fast paths (a regex for
  // printable ASCII, one for the components): the same verdict on any text.
  function reference(path: string): string | null {
    if (path.length === 0) {
      return 'path-empty';
    }
    if (path.includes('\0')) {
      return 'path-nul';
    }
    if ([...path].some(c => c.charCodeAt(0) < 0x20 || c === '\x7f')) {
      return 'path-control';
    }
    if (
      path.includes('\uFFFD') ||
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(
        path
      )
    ) {
      return 'path-not-utf8';
    }
    return null;
  }
  function recordedReference(path: string): string | null {
    const problem = reference(path);
    if (problem) {
      return problem;
    }
    if (!path.startsWith('/')) {
      return 'path-not-absolute';
    }
    return path !== '/' &&
      path
        .split('/')
        .slice(1)
        .some(part => part === '' || part === '.' || part === '..')
      ? 'path-not-normal'
      : null;
  }
  const pieces = [
    '/',
    '.',
    '..',
    'a',
    ' ',
    '~',
    '\0',
    '\n',
    '\x7f',
    '\uFFFD',
    'é',
    '\uD800',
    '\uDC00',
    '\uD83D\uDE00'
  ];
  const paths = fc
    .array(fc.constantFrom(...pieces), { maxLength: 12 })
    .map(parts => parts.join(''));

  it("gives the reference checks' verdict on any path", () => {
    fc.assert(
      fc.property(paths, path => {
        expect(userPathIssue(path)?.code ?? null).toBe(reference(path));
        expect(recordedPathIssue(path)?.code ?? null).toBe(
          recordedReference(path)
        );
      }),
      { numRuns: 2000 }
    );
    expect(recordedPathIssue('/a/b/')?.code).toBe('path-not-normal');
    expect(recordedPathIssue('/a/.b/...')).toBeNull();
  });
});
