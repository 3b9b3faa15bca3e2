/**
 * mlc's English for the validation codes of validate.ts: the one wording
 * table of the CLI (its tests assert these words), and each check in those
 * words. The extension words the same codes with literal `trans.__` strings
 * instead (src/lab/envActions/problemWords.ts), so that they can be
 * extracted for translation; nothing the browser bundle imports reaches
 * this file (tests/unit/browserBundle.test.ts).
 */
import {
  condaRecordFileIssue,
  envNameIssue,
  envPrefixIssue,
  kernelNameIssue,
  labelIssue,
  pathIssue,
  recordedPathIssue,
  userPathIssue,
  type ValidationProblem
} from './validate';
import { elideText } from './visibleText';

export function problemText(problem: ValidationProblem): string {
  switch (problem.code) {
    case 'name-empty':
      return 'the env name is empty';
    case 'name-dot':
      return `"${problem.name}" cannot name an env; choose a name such as myEnv`;
    case 'name-slash':
      return 'the env name contains "/"; give the name alone and the location separately';
    case 'name-control':
      return 'the env name contains a newline or control character';
    case 'name-too-long':
      return `the env name is longer than ${problem.max} characters`;
    case 'name-too-many-bytes':
      return `the env name is longer than ${problem.max} bytes in UTF-8`;
    case 'path-empty':
      return 'the path is empty';
    case 'path-nul':
      return 'the path contains a NUL byte';
    case 'path-control':
      return 'the path contains a newline or control character';
    case 'label-empty':
      return 'it is empty';
    case 'label-control':
      return 'it contains a newline or control character';
    case 'label-too-long':
      return `it is longer than ${problem.max} characters`;
    case 'kernel-name-empty':
      return 'the kernel name is empty';
    case 'kernel-name-too-long':
      return `the kernel name is longer than ${problem.max} characters`;
    case 'kernel-name-characters':
      return 'the kernel name has characters other than a-z, 0-9, ".", "_" and "-"';
    case 'kernel-name-dot':
      return 'the kernel name starts with "." (".", ".." and hidden names are not kernels)';
    case 'conda-record-length':
      return `a conda record file name must have 1 to ${problem.max} characters`;
    case 'conda-record-form':
      return `"${elideText(problem.name, 80)}" is not a conda record file name (name-version-build.json)`;
    case 'path-not-utf8':
      return 'the path is not valid UTF-8 (or contains U+FFFD)';
    case 'path-not-absolute':
      return 'the path is not absolute';
    case 'path-not-normal':
      return 'the path is not normal (it has ".", ".." or an empty component)';
    case 'prefix-colon':
      return 'the path contains ":", which separates the entries of PATH, so the env\'s programs would not be found';
  }
}

/** A check of validate.ts in mlc's English: the problem's words, or null. */
export function inEnglish(
  issue: (value: string) => ValidationProblem | null
): (value: string) => string | null {
  return value => {
    const problem = issue(value);
    return problem ? problemText(problem) : null;
  };
}

export const envNameProblem = inEnglish(envNameIssue);
export const pathProblem = inEnglish(pathIssue);
export const labelProblem = inEnglish(labelIssue);
export const kernelNameProblem = inEnglish(kernelNameIssue);
export const condaRecordFileProblem = inEnglish(condaRecordFileIssue);
export const userPathProblem = inEnglish(userPathIssue);
export const recordedPathProblem = inEnglish(recordedPathIssue);
export const envPrefixProblem = inEnglish(envPrefixIssue);
