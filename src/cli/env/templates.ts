/**
 * The shell templates, embedded in the bundle as text. Only the bundle
 * imports this module; tests render the files through `scripts.ts` directly.
 */
import activate from '../../../templates/env/activate.sh';
import createNewEnv from '../../../templates/env/create-newEnv-on-base.sh';
import footer from '../../../templates/env/footer.sh';
import header from '../../../templates/env/header.sh';
import containerScript from '../../../templates/env/setup-UserEnv-in-container.sh';
import hostScript from '../../../templates/env/setupMe-on-host.sh';
import type { IScriptTemplates } from './scripts';

export const TEMPLATES: IScriptTemplates = {
  header,
  footer,
  activate,
  hostScript,
  containerScript,
  createNewEnv
};
