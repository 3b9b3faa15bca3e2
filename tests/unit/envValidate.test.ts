/** The env-related additions to src/core/validate.ts and the conda record name parser. */
import { condaRecordParts } from '../../src/cli/env/base';
import { shortDigest } from '../../src/core/validate';
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
