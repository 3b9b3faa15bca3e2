/**
 * The image catalogue `mlc images/packages/info/setup` work from: a typed,
 * versioned list of the ML images. The five images of the seed ship as the
 * default; a catalogue file adds entries or replaces those with the same
 * `name:tag`. Pure: reading the file is the CLI's job.
 */
import * as z from 'zod/mini';
import { parseJson, type ParseResult } from '../parseJson';
import { parseImageReference, type IImageReference } from './imageReference';
import { elideText } from '../visibleText';

export const CATALOGUE_VERSION = 1;

/** Image names and tags as registries accept them (lower case, no path). */
const NAME_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const catalogueEntrySchema = z.object({
  /** e.g. `ml-base` */
  name: z
    .string()
    .check(z.regex(NAME_PATTERN, 'expected an image name such as ml-base')),
  /** e.g. `centos7-python38` */
  tag: z
    .string()
    .check(
      z.regex(TAG_PATTERN, 'expected an image tag such as centos7-python38')
    ),
  /** Registry reference, e.g. `docker.io/yesw2000/ml-base:centos7-python38`. */
  reference: z
    .string()
    .check(
      z.refine(
        value => parseImageReference(value).ok,
        'expected a registry reference such as docker.io/user/name:tag'
      )
    ),
  flavour: z.enum(['cpu', 'gpu']),
  /** `X.Y` of the image's Python. */
  python: z
    .string()
    .check(z.regex(/^\d+\.\d+$/, 'expected a Python version such as 3.11')),
  /** Unpacked copies of the image (CVMFS), tried first for the package list. */
  cvmfsPaths: z.optional(
    z.array(
      z.string().check(z.regex(/^\/[^\0\n]*$/, 'expected an absolute path'))
    )
  ),
  /** Where the package list can also be downloaded (https, or http on loopback). */
  packageListUrl: z.optional(
    z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected an http(s) URL'))
  ),
  description: z.optional(z.string())
});
export type CatalogueEntry = z.infer<typeof catalogueEntrySchema>;

export const catalogueFileSchema = z.object({
  schemaVersion: z.literal(CATALOGUE_VERSION),
  /** true: the file's entries are the whole catalogue (the defaults are dropped). */
  replaceDefaults: z.optional(z.boolean()),
  images: z.array(catalogueEntrySchema)
});
export type CatalogueFile = z.infer<typeof catalogueFileSchema>;

/** Where the seed's images are unpacked on CVMFS. */
export const CVMFS_UNPACKED =
  '/cvmfs/unpacked.cern.ch/registry.hub.docker.com/yesw2000';

/** The images of the seed (docker.io/yesw2000, CentOS 7, Python 3.8). */
export function defaultCatalogue(): CatalogueEntry[] {
  return [
    Private.seedImage(
      'ml-base',
      'cpu',
      'the base image: Python, Jupyter, the scientific stack'
    ),
    Private.seedImage('ml-pyroot', 'cpu', 'ml-base with PyROOT'),
    Private.seedImage('ml-tensorflow-cpu', 'cpu', 'ml-base with TensorFlow'),
    Private.seedImage(
      'ml-tensorflow-gpu',
      'gpu',
      'ml-base with TensorFlow for NVIDIA GPUs'
    ),
    Private.seedImage(
      'ml-torch-gpu',
      'gpu',
      'ml-base with PyTorch for NVIDIA GPUs'
    )
  ];
}

/** Parse the text of a catalogue file; `source` names it in messages. */
export function parseCatalogueFile(
  text: string,
  source: string
): ParseResult<CatalogueFile> {
  const parsed = parseJson(
    catalogueFileSchema,
    `the catalogue ${source}`,
    text
  );
  if (!parsed.ok) {
    return parsed;
  }
  const seen = new Set<string>();
  for (const entry of parsed.value.images) {
    const key = entryKey(entry);
    if (seen.has(key)) {
      return { ok: false, error: `the catalogue ${source} lists ${key} twice` };
    }
    seen.add(key);
  }
  return parsed;
}

/** `name:tag` */
export function entryKey(entry: Pick<CatalogueEntry, 'name' | 'tag'>): string {
  return `${entry.name}:${entry.tag}`;
}

/** The defaults with a file's entries added (same `name:tag` replaced), sorted by name then tag. */
export function mergeCatalogue(
  defaults: readonly CatalogueEntry[],
  file: CatalogueFile | null
): CatalogueEntry[] {
  const byKey = new Map<string, CatalogueEntry>();
  if (!file?.replaceDefaults) {
    for (const entry of defaults) {
      byKey.set(entryKey(entry), entry);
    }
  }
  for (const entry of file?.images ?? []) {
    byKey.set(entryKey(entry), entry);
  }
  return [...byKey.values()].sort(
    (a, b) => Private.compare(a.name, b.name) || Private.compare(a.tag, b.tag)
  );
}

/** The outcome of looking a user's image argument up. */
export type CatalogueMatch =
  | { kind: 'found'; entries: CatalogueEntry[] }
  | { kind: 'none'; names: string[] };

/**
 * `name` matches every tag of that name, `name:tag` one entry, and a full
 * reference the entry with that reference; nothing matched lists the names
 * that exist.
 */
export function matchImages(
  catalogue: readonly CatalogueEntry[],
  query: string
): CatalogueMatch {
  const entries = catalogue.filter(
    entry =>
      entry.name === query ||
      entryKey(entry) === query ||
      entry.reference === query
  );
  if (entries.length > 0) {
    return { kind: 'found', entries };
  }
  return {
    kind: 'none',
    names: [...new Set(catalogue.map(entry => entry.name))]
  };
}

/** The one wording of "no such image" (`mlc images NAME`, setup, info, packages). */
export function noImageProblem(
  query: string,
  names: readonly string[]
): string {
  return `no image "${elideText(query, 80)}" in the catalogue; the images are: ${names.join(', ')}`;
}

/**
 * The image a command works on: its entry and its registry reference,
 * parsed once here and carried to every step (registry, pull, create).
 */
export interface IImageChoice {
  entry: CatalogueEntry;
  ref: IImageReference;
}

/** An entry with its reference parsed, or why it cannot be. */
export function chooseEntry(entry: CatalogueEntry): ParseResult<IImageChoice> {
  const parsed = parseImageReference(entry.reference);
  return parsed.ok
    ? { ok: true, value: { entry, ref: parsed.value } }
    : {
        ok: false,
        error: `${elideText(entry.reference, 80)}: ${parsed.error}`
      };
}

/** One entry for a command that needs exactly one image, or why not. */
export function matchOneImage(
  catalogue: readonly CatalogueEntry[],
  query: string
): ParseResult<IImageChoice> {
  const match = matchImages(catalogue, query);
  if (match.kind === 'none') {
    return { ok: false, error: noImageProblem(query, match.names) };
  }
  if (match.entries.length > 1) {
    return {
      ok: false,
      error: `"${elideText(query, 80)}" names ${match.entries.length} images (${match.entries.map(entryKey).join(', ')}); give NAME:TAG`
    };
  }
  return chooseEntry(match.entries[0]);
}

namespace Private {
  export function seedImage(
    name: string,
    flavour: 'cpu' | 'gpu',
    description: string
  ): CatalogueEntry {
    const tag = 'centos7-python38';
    return {
      name,
      tag,
      reference: `docker.io/yesw2000/${name}:${tag}`,
      flavour,
      python: '3.8',
      cvmfsPaths: [`${CVMFS_UNPACKED}/${name}:${tag}`],
      description
    };
  }

  export function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
  }
}
