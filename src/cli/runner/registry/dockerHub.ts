/**
 * Docker Hub's own APIs: a tag's `last_updated` from the tags API (pages of
 * 100, `next` followed until the tag turns up; the seed read page one only),
 * and the anonymous pull limit from the documented test image's headers.
 */
import {
  pullLimitFromHeaders,
  type IPullLimit
} from '../../../core/runner/rateLimit';
import type { IImageReference } from '../../../core/runner/imageReference';
import { UserError } from '../../errors';
import { fetchBearerToken } from './client';
import { findCredentials } from './credentials';
import { dockerHubEndpoints } from './endpoints';
import { httpRequest } from './http';

/** The test repository Docker documents for reading the limit without using it up. */
export const RATE_LIMIT_REPOSITORY = 'ratelimitpreview/test';

const MAX_PAGES = 200;

export interface ITagFacts {
  lastUpdated: string | null;
  /** Pages read to find it. */
  pages: number;
}

export async function dockerHubTag(
  ref: IImageReference,
  env: NodeJS.ProcessEnv
): Promise<ITagFacts> {
  const hub = dockerHubEndpoints(env).hub;
  const origin = new URL(hub).origin;
  let url: string | null =
    `${hub}/v2/repositories/${ref.repository}/tags?page_size=100`;
  for (let page = 1; url && page <= MAX_PAGES; page++) {
    const response = await httpRequest(url, {
      headers: { Accept: 'application/json' }
    });
    if (response.status !== 200) {
      throw new UserError(
        `Docker Hub's tags API answered ${response.status} for ${ref.repository}`,
        'try again later',
        1
      );
    }
    const body = Private.parse(response.body);
    const found = body.results.find(result => result.name === ref.tag);
    if (found) {
      return {
        lastUpdated:
          typeof found.last_updated === 'string' ? found.last_updated : null,
        pages: page
      };
    }
    // `next` is followed only on the Hub itself: a page cannot send mlc elsewhere.
    url =
      typeof body.next === 'string' &&
      new URL(body.next, origin).origin === origin
        ? new URL(body.next, origin).toString()
        : null;
  }
  return { lastUpdated: null, pages: 0 };
}

export async function dockerHubPullLimit(
  env: NodeJS.ProcessEnv
): Promise<IPullLimit & { account: string | null }> {
  const endpoints = dockerHubEndpoints(env);
  const credentials = findCredentials('docker.io', env);
  const basic = credentials
    ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
    : null;
  const token = await fetchBearerToken(
    { realm: endpoints.auth, service: 'registry.docker.io' },
    `repository:${RATE_LIMIT_REPOSITORY}:pull`,
    basic
  );
  const response = await httpRequest(
    `${endpoints.registry}/v2/${RATE_LIMIT_REPOSITORY}/manifests/latest`,
    {
      method: 'HEAD',
      headers: {
        Authorization: `Bearer ${token}`,
        Accept:
          'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json'
      }
    }
  );
  if (response.status !== 200 && response.status !== 429) {
    throw new UserError(
      `Docker Hub answered ${response.status} for the rate-limit check`,
      'try again later',
      1
    );
  }
  return {
    ...pullLimitFromHeaders(response.headers),
    account: credentials?.username ?? null
  };
}

namespace Private {
  interface ITagsPage {
    next: unknown;
    results: { name?: unknown; last_updated?: unknown }[];
  }

  export function parse(body: Buffer): ITagsPage {
    try {
      const value = JSON.parse(body.toString('utf-8')) as {
        next?: unknown;
        results?: unknown;
      };
      return {
        next: value.next,
        results: Array.isArray(value.results) ? value.results : []
      };
    } catch {
      throw new UserError(
        "Docker Hub's tags API sent a page that is not JSON",
        'try again later',
        1
      );
    }
  }
}
