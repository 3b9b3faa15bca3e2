/**
 * The image metadata contract: `image.json`, written by `mlc image manifest`
 * at image build time, copied beside each kernel spec by `mlc kernels
 * install`, and read by the launcher through `/kernelspecs/<name>/image.json`.
 *
 * Pure: no `fs`, no DOM, so the browser and `mlc` share it.
 */
import * as z from 'zod/mini';
import { onFirstUse } from './firstUse';
import { checkJson, parseJson, type ParseResult } from './parseJson';

/** Bump when a field changes meaning; readers refuse newer major versions. */
export const IMAGE_METADATA_VERSION = 1;

/** An image.json of 100k packages is ~10 MB. */
export const MAX_IMAGE_JSON_BYTES = 256 * 1024 * 1024;

/** Where a package in the image came from. */
export const PACKAGE_SOURCES = ['conda', 'pip', 'system'] as const;
export type PackageSource = (typeof PACKAGE_SOURCES)[number];

/*
 * The schemas are built on first use (onFirstUse keeps them): most mlc
 * commands load this module and never parse an image.json, and zod's
 * set-up is a few ms at every start.
 */
export const imagePackageSchema = onFirstUse(() =>
  z.object({
    name: z.string().check(z.minLength(1)),
    version: z.string(),
    source: z.enum(PACKAGE_SOURCES),
    /** conda build string or channel, when known. */
    build: z.optional(z.string()),
    channel: z.optional(z.string())
  })
);
export type ImagePackage = z.infer<ReturnType<typeof imagePackageSchema>>;

export const imageMetadataSchema = onFirstUse(() =>
  z.object({
    schemaVersion: z.literal(IMAGE_METADATA_VERSION),
    /** Image name, e.g. `ml-base`. */
    name: z.string().check(z.minLength(1)),
    /** Image tag, e.g. `alma9-python311`. */
    tag: z.string(),
    /** Operating system of the image, e.g. `AlmaLinux 9.4`; empty if unknown. */
    os: z.string(),
    /** Full Python version of the image env, e.g. `3.11.7`. */
    python: z.string(),
    /** `gpu` when the image carries CUDA builds of its ML frameworks. */
    flavour: z.enum(['cpu', 'gpu']),
    /** ISO 8601 date-time of the build. */
    buildDate: z.string(),
    /** The image env prefix at build time, e.g. `/opt/conda`. */
    prefix: z.string(),
    /** Registry path, e.g. `docker.io/yesw2000/ml-base:alma9-python311`. */
    dockerPath: z.optional(z.string()),
    packages: z.array(imagePackageSchema())
  })
);
export type ImageMetadata = z.infer<ReturnType<typeof imageMetadataSchema>>;

/**
 * Parse and validate the text of an `image.json`.
 *
 * The error is one line naming the first offending field, suitable both for
 * the command line and for the launcher card.
 */
export function parseImageMetadata(text: string): ParseResult<ImageMetadata> {
  return parseJson(imageMetadataSchema(), '', text, Private.NEWER);
}

/** Validate an already-parsed `image.json` value. */
export function validateImageMetadata(
  raw: unknown
): ParseResult<ImageMetadata> {
  return checkJson(imageMetadataSchema(), '', raw, Private.NEWER);
}

/** `name:tag`, the way users and registries spell an image. */
export function imageReference(
  image: Pick<ImageMetadata, 'name' | 'tag'>
): string {
  return image.tag ? `${image.name}:${image.tag}` : image.name;
}

namespace Private {
  export const NEWER = {
    known: IMAGE_METADATA_VERSION,
    message: (found: number) =>
      `schemaVersion ${found} is newer than this tool understands (${IMAGE_METADATA_VERSION}); upgrade jupyterlab-ml-containers`
  };
}
