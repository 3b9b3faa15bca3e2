/**
 * The shell templates, embedded in the bundle as text. Only the bundle
 * imports this module; tests render the files through `scripts.ts` directly.
 */
import activate from './templates/activate.sh';
import createNewEnv from './templates/create-newEnv-on-base.sh';
import footer from './templates/footer.sh';
import header from './templates/header.sh';
import containerScript from './templates/setup-UserEnv-in-container.sh';
import hostScript from './templates/setupMe-on-host.sh';
import type { IScriptTemplates } from './scripts';

export const TEMPLATES: IScriptTemplates = {
  header,
  footer,
  activate,
  hostScript,
  containerScript,
  createNewEnv
};
