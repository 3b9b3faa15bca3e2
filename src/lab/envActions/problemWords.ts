/**
 * The extension's words for a refused create form: one literal `trans.__`
 * string per problem code, so the translation tools extract every one.
 * (mlc words the same codes in English: src/core/problemText.ts.)
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { FormProblem } from './envPath';

export function formProblemText(
  problem: FormProblem,
  trans: TranslationBundle
): string {
  switch (problem.code) {
    case 'name-empty':
      return trans.__('the env name is empty');
    case 'name-dot':
      return trans.__(
        '"%1" cannot name an env; choose a name such as myEnv',
        problem.name
      );
    case 'name-slash':
      return trans.__(
        'the env name contains "/"; give the name alone and the location separately'
      );
    case 'name-control':
      return trans.__('the env name contains a newline or control character');
    case 'name-too-long':
      return trans.__('the env name is longer than %1 characters', problem.max);
    case 'name-too-many-bytes':
      return trans.__(
        'the env name is longer than %1 bytes in UTF-8',
        problem.max
      );
    case 'path-empty':
      return trans.__('the location is empty');
    case 'path-nul':
      return trans.__('the location contains a NUL byte');
    case 'path-control':
      return trans.__('the location contains a newline or control character');
    case 'label-empty':
      return trans.__('the display name is empty');
    case 'label-control':
      return trans.__(
        'the display name contains a newline or control character'
      );
    case 'label-too-long':
      return trans.__(
        'the display name is longer than %1 characters',
        problem.max
      );
    case 'location-tilde':
      return trans.__(
        'the location starts with "~", which is not expanded here; give the full path or a path relative to the Jupyter root folder'
      );
  }
}
