/**
 * Rendering the activation scripts from their templates (src/cli/env/templates/).
 *
 * Pure string work. Every piece of user text (paths, names, image, binds)
 * enters a script as one single-quoted shell word (`shQuote(text,
 * 'always')` of src/core/quote.ts), which bash and zsh never expand; the
 * only other substitutions are fixed blocks and base64.
 */

/** UTF-8 base64, for text a csh line prints through `base64 -d`. */
export function base64(text: string): string {
  return Buffer.from(text, 'utf-8').toString('base64');
}

/**
 * Replace every `@MLC_NAME@` token of `template` by `values[NAME]`.
 * Throws when the template has a token without a value (a programming error).
 */
export function renderTemplate(
  template: string,
  values: Record<string, string>
): string {
  return template.replace(/@MLC_([A-Z0-9_]+)@/g, (token, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(`template token ${token} has no value`);
    }
    return value;
  });
}
