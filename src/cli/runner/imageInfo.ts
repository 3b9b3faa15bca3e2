/** `mlc info`: what the registry says of an image, and Docker Hub's date for its tag. */
import type { IImageChoice } from '../../core/runner/catalogue';
import {
  DOCKER_HUB,
  type IImageReference
} from '../../core/runner/imageReference';
import {
  hostPlatform,
  RegistryClient,
  type IImageFacts
} from './registry/client';
import { dockerHubTag } from './registry/dockerHub';

export interface IImageInfo {
  image: string;
  reference: string;
  digest: string;
  mediaType: string;
  platform: string | null;
  compressedSize: number;
  created: string | null;
  version: string | null;
  lastUpdated: string | null;
  labels: Record<string, string>;
}

/** The registry's facts for a reference (parsed once, by the caller's catalogue lookup). */
export async function registryFacts(
  ref: IImageReference,
  env: NodeJS.ProcessEnv
): Promise<IImageFacts> {
  return new RegistryClient(ref, env).imageFacts(hostPlatform(env));
}

export async function imageInfo(
  image: IImageChoice,
  env: NodeJS.ProcessEnv
): Promise<IImageInfo> {
  const { entry, ref } = image;
  const [facts, tag] = await Promise.all([
    registryFacts(ref, env),
    ref.registry === DOCKER_HUB ? dockerHubTag(ref, env) : Promise.resolve(null)
  ]);
  return {
    image: `${entry.name}:${entry.tag}`,
    reference: entry.reference,
    digest: facts.digest,
    mediaType: facts.mediaType,
    platform: facts.platform
      ? `${facts.platform.os}/${facts.platform.architecture}`
      : null,
    compressedSize: facts.compressedSize,
    created:
      facts.created ?? facts.labels['org.opencontainers.image.created'] ?? null,
    version: facts.labels['org.opencontainers.image.version'] ?? null,
    lastUpdated: tag?.lastUpdated ?? null,
    labels: facts.labels
  };
}

export function formatImageInfo(info: IImageInfo): string {
  const lines = [
    `Image: ${info.image} (${info.reference})`,
    `  compressed size: ${info.compressedSize} bytes (${(info.compressedSize / 1e6).toFixed(1)} MB)`,
    `  created:         ${info.created ?? 'unknown'}`,
    `  version:         ${info.version ?? 'not labelled'}`,
    `  last updated:    ${info.lastUpdated ?? (info.reference.startsWith('docker.io/') ? 'unknown' : 'n/a (not on Docker Hub)')}`,
    `  digest:          ${info.digest}`
  ];
  if (info.platform) {
    lines.push(
      `  platform:        ${info.platform} (from a multi-platform index)`
    );
  }
  const facts = Object.entries(info.labels).filter(
    ([key]) =>
      key !== 'org.opencontainers.image.version' &&
      key !== 'org.opencontainers.image.created'
  );
  if (facts.length > 0) {
    lines.push('  labels:');
    for (const [key, value] of facts.sort()) {
      lines.push(`    ${key}=${value.replace(/\p{Cc}/gu, '?')}`);
    }
  }
  return lines.join('\n');
}
