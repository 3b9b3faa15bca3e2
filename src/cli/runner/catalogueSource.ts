/**
 * Which catalogue file applies, first found wins: `--catalogue FILE`, then
 * MLC_CATALOGUE, then the per-user `$XDG_CONFIG_HOME/mlc/catalogue.json`
 * (~/.config/mlc/catalogue.json). Its entries are added to the built-in
 * five (same NAME:TAG replaced) unless it sets `replaceDefaults`. A named
 * file that is missing or malformed is an error; the per-user file is
 * optional.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  defaultCatalogue,
  matchOneImage,
  mergeCatalogue,
  parseCatalogueFile,
  type CatalogueEntry
} from '../../core/runner/catalogue';
import { UserError } from '../errors';

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
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      throw new UserError(
        `the catalogue ${file} is not a regular file`,
        'point --catalogue or MLC_CATALOGUE at a JSON file'
      );
    }
    if (stat.size > 4 * 1024 * 1024) {
      throw new UserError(
        `the catalogue ${file} is larger than 4 MiB`,
        'check the file'
      );
    }
    text = fs.readFileSync(file, 'utf-8');
  } catch (reason) {
    if (reason instanceof UserError) {
      throw reason;
    }
    if (!named && (reason as NodeJS.ErrnoException).code === 'ENOENT') {
      return { entries: defaultCatalogue(), file: null };
    }
    throw new UserError(
      `cannot read the catalogue ${file} (${(reason as NodeJS.ErrnoException).code ?? 'error'})`,
      named ? 'check --catalogue / MLC_CATALOGUE' : 'fix or remove that file'
    );
  }
  const parsed = parseCatalogueFile(text, file);
  if (!parsed.ok) {
    throw new UserError(
      parsed.error,
      'fix the file (see the catalogue format in the README)'
    );
  }
  return { entries: mergeCatalogue(defaultCatalogue(), parsed.value), file };
}

/** The one catalogue entry a command works on. */
export function oneImage(catalogue: ICatalogue, query: string): CatalogueEntry {
  const match = matchOneImage(catalogue.entries, query);
  if (!match.ok) {
    throw new UserError(match.error, "run 'mlc images' to see them");
  }
  return match.value;
}
