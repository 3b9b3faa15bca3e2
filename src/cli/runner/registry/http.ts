/**
 * One HTTP(S) request with Node's own client: bounded in time and size,
 * redirects followed (blobs are often served from elsewhere), failures as
 * one line. TLS verification is never turned off: a certificate that fails
 * is refused (NODE_EXTRA_CA_CERTS adds a site's CA).
 */
import * as http from 'http';
import * as https from 'https';
import { UserError } from '../../errors';

export interface IHttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
}

export interface IHttpRequest {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxBytes?: number;
}

const MAX_REDIRECTS = 5;

export async function httpRequest(
  url: string,
  request: IHttpRequest = {}
): Promise<IHttpResponse> {
  let current = url;
  let headers = { ...(request.headers ?? {}) };
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await Private.once(current, { ...request, headers });
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, current);
      // Credentials are for the registry, never for the storage it redirects to.
      if (next.host !== new URL(current).host) {
        headers = Object.fromEntries(
          Object.entries(headers).filter(
            ([key]) => key.toLowerCase() !== 'authorization'
          )
        );
      }
      current = next.toString();
      continue;
    }
    return response;
  }
  throw new UserError(
    `too many redirects from ${Private.hostOf(url)}`,
    'check the registry address',
    1
  );
}

namespace Private {
  const TLS_CODES = new Set([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'CERT_UNTRUSTED',
    'CERT_SIGNATURE_FAILURE'
  ]);

  export function hostOf(url: string): string {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  }

  export function once(
    url: string,
    request: IHttpRequest
  ): Promise<IHttpResponse> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return Promise.reject(
        new UserError(
          `"${url.slice(0, 100)}" is not a URL`,
          'check the registry settings'
        )
      );
    }
    const client =
      parsed.protocol === 'https:'
        ? https
        : parsed.protocol === 'http:'
          ? http
          : null;
    if (!client) {
      return Promise.reject(
        new UserError(
          `${parsed.protocol} URLs are not supported (${parsed.host})`,
          'use https'
        )
      );
    }
    const timeoutMs = request.timeoutMs ?? 30000;
    const maxBytes = request.maxBytes ?? 32 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const req = client.request(
        parsed,
        // No keep-alive agent: an idle pooled socket would keep mlc from exiting.
        {
          method: request.method ?? 'GET',
          agent: false,
          headers: { 'User-Agent': 'mlc', ...(request.headers ?? {}) }
        },
        res => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              req.destroy(
                new UserError(
                  `the answer of ${parsed.host} is larger than ${maxBytes} bytes`,
                  'check the registry address',
                  1
                )
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
              url
            })
          );
          res.on('error', error => reject(describe(error, parsed)));
        }
      );
      req.setTimeout(timeoutMs, () =>
        req.destroy(
          new UserError(
            `${parsed.host} did not answer within ${timeoutMs / 1000} s`,
            'check your network or try again later',
            1
          )
        )
      );
      req.on('error', error => reject(describe(error, parsed)));
      req.end();
    });
  }

  function describe(error: Error, url: URL): Error {
    if (error instanceof UserError) {
      return error;
    }
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (TLS_CODES.has(code)) {
      return new UserError(
        `the TLS certificate of ${url.host} failed verification (${code}); refusing to connect`,
        'if your site uses its own certificate authority, point NODE_EXTRA_CA_CERTS at its CA file',
        1
      );
    }
    if (
      code === 'ECONNREFUSED' ||
      code === 'ENOTFOUND' ||
      code === 'EAI_AGAIN' ||
      code === 'ECONNRESET' ||
      code === 'EHOSTUNREACH' ||
      code === 'ENETUNREACH'
    ) {
      return new UserError(
        `cannot reach ${url.host} (${code})`,
        'check your network connection or the registry address',
        1
      );
    }
    return new UserError(
      `request to ${url.host} failed: ${error.message.split('\n')[0]}`,
      'check your network connection',
      1
    );
  }
}
