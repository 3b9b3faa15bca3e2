/**
 * Which catalogue file applies, first found wins: `--catalogue FILE`, then
 * MLC_CATALOGUE, then the per-user `$XDG_CONFIG_HOME/mlc/catalogue.json`
 * (~/.config/mlc/catalogue.json). Its entries are added to the built-in
 * five (same NAME:TAG replaced) unless it sets `replaceDefaults`. A named
 * file that is missing or malformed is an error; the per-user file is
 * optional.
 */
import * as os from 'os';
import * as path from 'path';
import {
  defaultCatalogue,
  matchOneImage,
  mergeCatalogue,
  parseCatalogueFile,
  type CatalogueEntry,
  type IImageChoice
} from '../../core/runner/catalogue';
import { UserError } from '../errors';
import { readRegularFile } from '../fs/regularFile';

export interface ICatalogue {
  entries: CatalogueEntry[];
  /** The file merged over the defaults, or null for the defaults alone. */
  file: string | null;
}

export function loadCatalogue(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string
): ICatalogue {
  const named = option ?? env.MLC_CATALOGUE;
  const file = named
    ? path.resolve(cwd, named)
    : path.join(
        env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config'),
        'mlc',
        'catalogue.json'
      );
  const read = readRegularFile(file, {
    maxBytes: 4 * 1024 * 1024,
    strictUtf8: true
  });
  if (!read.ok) {
    if (!named && read.missing) {
      return { entries: defaultCatalogue(), file: null };
    }
    throw new UserError(
      `the catalogue ${file} ${read.reason}`,
      named
        ? 'point --catalogue or MLC_CATALOGUE at a JSON file'
        : 'fix or remove that file'
    );
  }
  // A byte-order mark is no part of the JSON (editors on Windows write one).
  const text = read.text.replace(/^\uFEFF/, '');
  const parsed = parseCatalogueFile(text, file);
  if (!parsed.ok) {
    throw new UserError(
      parsed.error,
      'fix the file (see the catalogue format in the README)'
    );
  }
  return { entries: mergeCatalogue(defaultCatalogue(), parsed.value), file };
}

/** The one catalogue entry a command works on, its reference parsed (once). */
export function oneImage(catalogue: ICatalogue, query: string): IImageChoice {
  const match = matchOneImage(catalogue.entries, query);
  if (!match.ok) {
    throw new UserError(match.error, "run 'mlc images' to see them");
  }
  return match.value;
}
