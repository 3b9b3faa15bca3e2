/**
 * Validation problems as codes: mlc words them in its English (the words the
 * CLI tests assert), the extension with its own translatable strings.
 */
import { problemText } from '../../src/core/problemText';
import { envNameIssue, labelIssue, pathIssue } from '../../src/core/validate';
import { envNameProblem, pathProblem } from '../../src/core/problemText';
import { formProblemText } from '../../src/lab/envActions/problemWords';
import { englishBundle } from './launcherDomHelpers';

describe('validation problems as codes', () => {
  it.each([
    ['', { code: 'name-empty' }],
    ['..', { code: 'name-dot', name: '..' }],
    ['a/b', { code: 'name-slash' }],
    ['a\u001bb', { code: 'name-control' }],
    ['x'.repeat(101), { code: 'name-too-long', max: 100 }],
    ['€'.repeat(86), { code: 'name-too-many-bytes', max: 255 }]
  ])('env name %j: %j', (name, problem) => {
    expect(envNameIssue(name)).toEqual(problem);
  });

  it('codes paths and labels with their parameters', () => {
    expect(pathIssue('')).toEqual({ code: 'path-empty' });
    expect(pathIssue('a\0b')).toEqual({ code: 'path-nul' });
    expect(pathIssue('a\nb')).toEqual({ code: 'path-control' });
    expect(pathIssue('/ok path')).toBeNull();
    expect(labelIssue(' ')).toEqual({ code: 'label-empty' });
    expect(labelIssue('x'.repeat(201))).toEqual({
      code: 'label-too-long',
      max: 200
    });
  });

  it("keeps mlc's English as it was", () => {
    expect(envNameProblem('..')).toBe(
      '".." cannot name an env; choose a name such as myEnv'
    );
    expect(pathProblem('a\0b')).toBe('the path contains a NUL byte');
    expect(problemText({ code: 'name-too-long', max: 100 })).toBe(
      'the env name is longer than 100 characters'
    );
  });

  it('words every code in the extension with its parameters filled in', () => {
    const names = ['', '..', 'a/b', 'a\nb', 'x'.repeat(101), '€'.repeat(86)];
    for (const name of names) {
      const problem = envNameIssue(name);
      expect(problem).not.toBeNull();
      const text = problem && formProblemText(problem, englishBundle);
      expect(text).toBeTruthy();
      expect(text).not.toContain('%1');
    }
    expect(
      formProblemText({ code: 'name-dot', name: '.' }, englishBundle)
    ).toContain('"."');
    expect(
      formProblemText({ code: 'label-too-long', max: 200 }, englishBundle)
    ).toContain('200');
  });
});
