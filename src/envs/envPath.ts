/**
 * Where a new env goes: the dialog's location and name turned into the
 * absolute prefix `mlc env create` gets. Pure string logic.
 */
import { envNameProblem, normalizeAbsolute, pathProblem } from '../core/validate';

/**
 * Why `location` cannot hold new envs, or null. Empty means the Jupyter
 * root folder. `~` is refused: nothing between the dialog and `mlc`
 * expands it, and a folder literally named `~` is never what was meant.
 */
export function locationProblem(location: string): string | null {
  if (location === '') {
    return null;
  }
  if (location === '~' || location.startsWith('~/')) {
    return 'the location starts with "~", which is not expanded here; give the full path or a path relative to the Jupyter root folder';
  }
  return pathProblem(location);
}

/**
 * The env's prefix: `location/name`, with a relative location taken from
 * the Jupyter root folder (where the file browser starts, and the folder the
 * headless terminal starts in) when that folder is known.
 */
export function envPrefix(location: string, name: string, serverRoot: string): string {
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
export function createFormProblem(form: { name: string; location: string; displayName: string }): string | null {
  return (
    envNameProblem(form.name) ??
    locationProblem(form.location) ??
    // eslint-disable-next-line no-control-regex
    (/[\u0000-\u001f\u007f]/.test(form.displayName) ? 'the display name contains a newline or control character' : null)
  );
}
