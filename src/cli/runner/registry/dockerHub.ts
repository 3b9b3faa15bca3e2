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
import { httpBudget, httpRequest, parseHttpUrl } from './http';

/** The test repository Docker documents for reading the limit without using it up. */
export const RATE_LIMIT_REPOSITORY = 'ratelimitpreview/test';

/** Pages of 100 tags followed at most (the whole walk also shares one MLC_HTTP_TIMEOUT). */
export const MAX_TAG_PAGES = 200;
const MAX_PAGE_BYTES = 4 * 1024 * 1024;

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
  const origin = parseHttpUrl(hub, 'MLC_DOCKERHUB_HUB_URL').origin;
  const budget = httpBudget(env);
  const seen = new Set<string>();
  let url: string | null =
    `${hub}/v2/repositories/${ref.repository}/tags?page_size=100`;
  for (let page = 1; url && page <= MAX_TAG_PAGES; page++) {
    seen.add(url);
    const response = await httpRequest(url, budget, {
      headers: { Accept: 'application/json' },
      maxBytes: MAX_PAGE_BYTES
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
    // `next` is followed only on the Hub itself, and never back to a page read.
    const next =
      typeof body.next === 'string' && body.next !== ''
        ? parseHttpUrl(body.next, "the next page of Docker Hub's tags", origin)
        : null;
    url =
      next && next.origin === origin && !seen.has(next.toString())
        ? next.toString()
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
  const budget = httpBudget(env);
  const token = await fetchBearerToken(
    { realm: endpoints.auth, service: 'registry.docker.io' },
    `repository:${RATE_LIMIT_REPOSITORY}:pull`,
    basic,
    budget
  );
  const response = await httpRequest(
    `${endpoints.registry}/v2/${RATE_LIMIT_REPOSITORY}/manifests/latest`,
    budget,
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
