/**
 * What the image card shows, merged from the two places the facts live: the
 * kernel spec's `metadata.ml_containers` (always there, polled) and
 * `image.json` (authoritative, fetched once per image).
 *
 * Pure: no DOM, no services.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import {
  IMAGE_METADATA_VERSION,
  imageReference,
  parseImageMetadata,
  type ImageMetadata
} from '../../core/imageMetadata';
import type { IKernelImageFacts } from '../../core/kernelspec';
import type { IImageJsonProblem, ImageMetadataState } from '../tokens';

export type { IImageJsonProblem, ImageMetadataState } from '../tokens';

export type ImageJsonResult =
  { ok: true; value: ImageMetadata } | ({ ok: false } & IImageJsonProblem);

/** Validate the text of an image.json; a newer schema is told apart from a broken file. */
export function interpretImageJson(text: string): ImageJsonResult {
  const parsed = parseImageMetadata(text);
  if (parsed.ok) {
    return parsed;
  }
  const version = Private.schemaVersion(text);
  if (version !== null && version > IMAGE_METADATA_VERSION) {
    return { ok: false, problem: 'newer', detail: String(version) };
  }
  return { ok: false, problem: 'malformed', detail: parsed.error };
}

/** The facts on the card; '' where unknown. */
export interface ICardFacts {
  /** `name:tag`. */
  reference: string;
  os: string;
  python: string;
  /** `YYYY-MM-DD` (UTC) when the build date parses, else as written. */
  buildDate: string;
  flavour: 'cpu' | 'gpu' | '';
  /** null while unknown (no image.json yet and no count in the spec). */
  packageCount: number | null;
  prefix: string;
}

/** Merge the spec's facts with `image.json` (which wins when it was read). */
export function cardFacts(
  facts: IKernelImageFacts | null,
  metadata: ImageMetadataState
): ICardFacts | null {
  if (metadata.status === 'ready') {
    const image = metadata.value;
    return {
      reference: imageReference(image),
      os: image.os,
      python: image.python,
      buildDate: formatBuildDate(image.buildDate),
      flavour: image.flavour,
      packageCount: image.packages.length,
      prefix: image.prefix
    };
  }
  if (!facts) {
    return null;
  }
  return {
    reference: facts.image || (facts.name ? imageReference(facts) : ''),
    os: facts.os,
    python: facts.python,
    buildDate: formatBuildDate(facts.buildDate),
    flavour: facts.flavour,
    packageCount: facts.packageCount > 0 ? facts.packageCount : null,
    prefix: facts.prefix
  };
}

/** The date part of an ISO date-time, in UTC; anything else unchanged. */
export function formatBuildDate(value: string): string {
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString().slice(0, 10);
}

/** One line on what is wrong with `image.json` and what to do; '' when nothing is. */
export function imageJsonWarning(
  metadata: ImageMetadataState,
  trans: TranslationBundle
): string {
  if (metadata.status !== 'error') {
    return '';
  }
  switch (metadata.problem) {
    case 'missing':
      return trans.__(
        'Kernel %1 has no image.json, so the package list is unavailable; reinstall the kernels with "mlc kernels install".',
        metadata.detail
      );
    case 'malformed':
      return trans.__(
        'image.json is malformed (%1), so the package list is unavailable; rewrite it with "mlc image manifest".',
        metadata.detail
      );
    case 'newer':
      return trans.__(
        'image.json has schema version %1, newer than this extension reads; upgrade jupyterlab-ml-containers to see the package list.',
        metadata.detail
      );
    case 'http':
      return trans.__(
        'image.json could not be read (server answered %1); reload the page to retry.',
        metadata.detail
      );
    case 'unreachable':
      return trans.__(
        'image.json could not be fetched (%1); reload the page to retry.',
        metadata.detail
      );
  }
}

namespace Private {
  export function schemaVersion(text: string): number | null {
    try {
      const value: unknown = JSON.parse(text);
      const version = (value as { schemaVersion?: unknown } | null)
        ?.schemaVersion;
      return typeof version === 'number' ? version : null;
    } catch {
      return null;
    }
  }
}
