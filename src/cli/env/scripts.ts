/**
 * The seed's entry points, rendered: `setupMe-on-host.sh` and
 * `setup-UserEnv-in-container.sh` inside each env, and
 * `create-newEnv-on-base.sh` for the image. Pure: templates in, text out.
 */
import { cshQuote, shQuote } from '../../core/quote';
import { base64, renderTemplate } from './shellText';

/** Re-entry script of a host-mode env. */
export const HOST_SCRIPT = 'setupMe-on-host.sh';
/** Re-entry script of a container-mode env. */
export const CONTAINER_SCRIPT = 'setup-UserEnv-in-container.sh';
/** The image's entry point that creates an env and enters it. */
export const CREATE_SCRIPT = 'create-newEnv-on-base.sh';

/** The template texts (src/cli/env/templates/*.sh). */
export interface IScriptTemplates {
  header: string;
  footer: string;
  activate: string;
  hostScript: string;
  containerScript: string;
  createNewEnv: string;
}

/** What a re-entry script needs to know about its env. */
export interface IActivationFacts {
  envPrefix: string;
  basePrefix: string;
  envName: string;
  mode: 'host' | 'container';
  /** Container mode: the image to start from the host, and extra bind paths. */
  containerImage?: string;
  bindPaths?: string[];
}

/** The re-entry script of an env: its file name and text. */
export function activationScript(
  templates: IScriptTemplates,
  facts: IActivationFacts
): { file: string; text: string } {
  const file = facts.mode === 'container' ? CONTAINER_SCRIPT : HOST_SCRIPT;
  const scriptPath = `${facts.envPrefix}/${file}`;
  const activate = renderTemplate(templates.activate, {
    ENV_PREFIX: shQuote(facts.envPrefix, 'always'),
    BASE_PREFIX: shQuote(facts.basePrefix, 'always'),
    ENV_NAME: shQuote(facts.envName, 'always')
  });
  const values: Record<string, string> = {
    HEADER: Private.header(
      templates,
      file,
      scriptPath,
      `run: bash --rcfile ${cshQuote(scriptPath, 'always')}`
    ),
    FOOTER: templates.footer.trimEnd(),
    ACTIVATE: activate.trimEnd()
  };
  if (facts.mode === 'container') {
    if (!facts.containerImage) {
      throw new Error('container mode needs the container image');
    }
    // The env itself is always bound, so its files exist inside the container.
    const binds = [
      facts.envPrefix,
      ...(facts.bindPaths ?? []).filter(bind => bind !== facts.envPrefix)
    ];
    values.CONTAINER_IMAGE = shQuote(facts.containerImage, 'always');
    values.SCRIPT_PATH = shQuote(scriptPath, 'always');
    values.BIND_ARGS = binds
      .map(bind => `-B ${shQuote(bind, 'always')}`)
      .join(' ');
    return { file, text: renderTemplate(templates.containerScript, values) };
  }
  return { file, text: renderTemplate(templates.hostScript, values) };
}

/**
 * A location the create script computes at source time: relative to the
 * script's own directory (so the image may be reached at another path), or
 * absolute.
 */
export type ScriptLocation = { relative: string } | { absolute: string };

export interface ICreateScriptFacts {
  /** Where the script is written (for its messages). */
  scriptPath: string;
  base: ScriptLocation;
  /** The words that run mlc, e.g. the launcher, or node and the bundle. */
  command: ScriptLocation[];
}

/** The text of `create-newEnv-on-base.sh`. */
export function createScriptText(
  templates: IScriptTemplates,
  facts: ICreateScriptFacts
): string {
  const cshHint = `start bash, then run: source ${cshQuote(facts.scriptPath, 'always')} -p myEnv`;
  return renderTemplate(templates.createNewEnv, {
    HEADER: Private.header(
      templates,
      CREATE_SCRIPT,
      facts.scriptPath,
      cshHint,
      ' -p myEnv'
    ),
    FOOTER: templates.footer.trimEnd(),
    BASE_EXPR: Private.locationWord(facts.base),
    COMMAND_WORDS: facts.command.map(Private.locationWord).join(' ')
  });
}

namespace Private {
  /** The shared header: csh guard and the sourced/not-sourced check. */
  export function header(
    templates: IScriptTemplates,
    file: string,
    scriptPath: string,
    cshInstead: string,
    usageArgs = ''
  ): string {
    const source = `source ${shQuote(scriptPath, 'always')}${usageArgs}`;
    return renderTemplate(templates.header, {
      SCRIPT_LABEL: file,
      CSH_MESSAGE_B64: base64(
        `mlc: ${file} is for bash and zsh; csh and tcsh cannot source it. Instead, ${cshInstead}\n`
      ),
      NOT_SOURCED_MESSAGE: shQuote(
        `mlc: ${file} must be sourced, not run; in bash or zsh: ${source}`,
        'always'
      ),
      OTHER_SHELL_MESSAGE: shQuote(
        `mlc: ${file} needs bash or zsh; start one of them and run: ${source}`,
        'always'
      )
    }).trimEnd();
  }

  /** One shell word for a location: `"$_mlc_dir"/'rel'` or `'/abs'`. */
  export function locationWord(location: ScriptLocation): string {
    if ('relative' in location) {
      return location.relative === ''
        ? '"$_mlc_dir"'
        : `"$_mlc_dir"/${shQuote(location.relative, 'always')}`;
    }
    return shQuote(location.absolute, 'always');
  }
}
