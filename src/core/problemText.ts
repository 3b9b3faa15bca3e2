/**
 * mlc's English for the validation problems of validate.ts: the one wording
 * table of the CLI (its tests assert these words). The extension words the
 * same codes with literal `trans.__` strings instead (src/lab/envActions/problemWords.ts),
 * so that they can be extracted for translation.
 */
import type { ValidationProblem } from './validate';

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
  }
}
