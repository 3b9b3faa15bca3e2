/**
 * The schemas of the shared core use zod/mini: the same checks as zod, but
 * tree-shaken (full zod costs every `mlc` start about 20 ms of module
 * set-up, and the browser bundle as many kilobytes). zod/mini ships without
 * message texts; call this before validating so an error says "expected
 * string, received number" rather than "Invalid input". Only the English
 * texts are loaded: zod's locales namespace would bundle every language.
 */
import { config } from 'zod/mini';
import english from 'zod/v4/locales/en.js';

let loaded = false;

export function zodMessages(): void {
  if (!loaded) {
    config(english());
    loaded = true;
  }
}
