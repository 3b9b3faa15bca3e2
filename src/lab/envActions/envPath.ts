/**
 * Where a new env goes: the dialog's location and name turned into the
 * absolute prefix `mlc env create` gets. Pure string logic.
 */
import { hasControlCharacter } from '../../core/quote';
import {
  envNameIssue,
  normalizeAbsolute,
  pathIssue,
  type InputProblem
} from '../../core/validate';

/** Why a create form cannot be submitted; worded by problemWords.ts. */
export type FormProblem = InputProblem | { code: 'location-tilde' };

/**
 * Why `location` cannot hold new envs, or null. Empty means the Jupyter
 * root folder. `~` is refused: nothing between the dialog and `mlc`
 * expands it, and a folder literally named `~` is never what was meant.
 */
export function locationProblem(location: string): FormProblem | null {
  if (location === '') {
    return null;
  }
  if (location === '~' || location.startsWith('~/')) {
    return { code: 'location-tilde' };
  }
  return pathIssue(location);
}

/**
 * The env's prefix: `location/name`, with a relative location taken from
 * the Jupyter root folder (where the file browser starts, and the folder the
 * headless terminal starts in) when that folder is known.
 */
export function envPrefix(
  location: string,
  name: string,
  serverRoot: string
): string {
  if (location.startsWith('/')) {
    return normalizeAbsolute(`${location}/${name}`);
  }
  if (serverRoot.startsWith('/')) {
    return normalizeAbsolute(`${serverRoot}/${location}/${name}`);
  }
  return location ? `${location.replace(/\/+$/, '')}/${name}` : name;
}

/** The folder new envs go to by default, resolved as `envPrefix` resolves it. */
export function envLocationDir(location: string, serverRoot: string): string {
  if (location.startsWith('/')) {
    return normalizeAbsolute(location);
  }
  if (serverRoot.startsWith('/')) {
    return normalizeAbsolute(`${serverRoot}/${location}`);
  }
  return location.replace(/\/+$/, '') || '.';
}

/** The first problem of a create form, or null when it can be submitted. */
export function createFormProblem(form: {
  name: string;
  location: string;
  displayName: string;
}): FormProblem | null {
  return (
    envNameIssue(form.name) ??
    locationProblem(form.location) ??
    // An empty display name means mlc's default: only a broken one is refused here.
    (hasControlCharacter(form.displayName) ? { code: 'label-control' } : null)
  );
}
