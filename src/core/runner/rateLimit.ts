/**
 * Docker Hub's pull limit headers: `ratelimit-limit: 100;w=21600` and
 * `ratelimit-remaining: 76;w=21600` (a count, then `;`-separated
 * parameters of which `w` is the window in seconds). Parsed generically: any
 * parameters, in any order; a header that is absent means no limit.
 */
export interface IRateLimitValue {
  count: number;
  /** Window in seconds, or null when the header gives none. */
  windowSeconds: number | null;
}

export interface IPullLimit {
  /** False when the registry sent no limit headers: pulls are not limited. */
  limited: boolean;
  limit: IRateLimitValue | null;
  remaining: IRateLimitValue | null;
  /** `docker-ratelimit-source`: the IP or account the count belongs to. */
  source: string | null;
}

export function parseRateLimitValue(header: string): IRateLimitValue | null {
  const [first, ...params] = header.split(';').map(part => part.trim());
  if (!/^\d+$/.test(first)) {
    return null;
  }
  let windowSeconds: number | null = null;
  for (const param of params) {
    const match = /^w\s*=\s*(\d+)$/i.exec(param);
    if (match) {
      windowSeconds = Number(match[1]);
    }
  }
  return { count: Number(first), windowSeconds };
}

/** The pull limit from a response's headers (names lower case, as Node gives them). */
export function pullLimitFromHeaders(
  headers: Record<string, string | string[] | undefined>
): IPullLimit {
  const read = (name: string): string | null => {
    const value = headers[name];
    return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
  };
  const limitText = read('ratelimit-limit');
  const remainingText = read('ratelimit-remaining');
  const limit = limitText === null ? null : parseRateLimitValue(limitText);
  const remaining =
    remainingText === null ? null : parseRateLimitValue(remainingText);
  return {
    limited: limit !== null || remaining !== null,
    limit,
    remaining,
    source: read('docker-ratelimit-source')
  };
}
