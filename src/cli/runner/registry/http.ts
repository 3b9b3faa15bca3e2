/**
 * One HTTP(S) request with Node's own client: bounded in time and size,
 * redirects followed (blobs are often served from elsewhere, at most
 * MAX_REDIRECTS), failures as one line. TLS verification is never turned
 * off: a certificate that fails is refused (NODE_EXTRA_CA_CERTS adds a
 * site's CA).
 *
 * Time has two bounds: an idle timeout (no byte for IDLE_MS) and an overall
 * deadline for the whole network operation (`IHttpBudget`, from
 * MLC_HTTP_TIMEOUT seconds, default 120), which every request of that
 * operation (token, manifests, pages, redirects) shares, so a server that
 * sends one byte every few seconds, or endless slow pages, still ends.
 */
import * as http from 'http';
import * as https from 'https';
import { elideText } from '../../../core/visibleText';
import { UserError } from '../../errors';
import { errnoCode } from '../../fs/errors';

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
  maxBytes?: number;
}

/** The time one network operation may take, shared by all its requests. */
export interface IHttpBudget {
  /** Epoch milliseconds by which the operation must have finished. */
  deadline: number;
  /** The whole budget, in seconds, for messages. */
  seconds: number;
  /** Longest silence of a server within a request. */
  idleMs: number;
  /**
   * The operation's connections, one pool per protocol, made on first use:
   * its requests to one registry (token, manifests, blob) share a socket.
   */
  agents: { http?: http.Agent; https?: https.Agent };
}

export const MAX_REDIRECTS = 5;
export const DEFAULT_HTTP_TIMEOUT_S = 120;
const IDLE_MS = 30000;
const MAX_HTTP_TIMEOUT_S = 86400;

/** A new operation's budget: MLC_HTTP_TIMEOUT seconds (validated) from now. */
export function httpBudget(env: NodeJS.ProcessEnv): IHttpBudget {
  const text = env.MLC_HTTP_TIMEOUT;
  let seconds = DEFAULT_HTTP_TIMEOUT_S;
  if (text !== undefined && text !== '') {
    seconds = Number(text);
    if (
      !/^\d{1,5}(?:\.\d{1,3})?$/.test(text) ||
      seconds <= 0 ||
      seconds > MAX_HTTP_TIMEOUT_S
    ) {
      throw new UserError(
        `MLC_HTTP_TIMEOUT=${elideText(text, 20)}: expected a number of seconds from 0.001 to ${MAX_HTTP_TIMEOUT_S}`,
        `e.g. MLC_HTTP_TIMEOUT=${DEFAULT_HTTP_TIMEOUT_S}, or unset it`
      );
    }
  }
  return {
    deadline: Date.now() + seconds * 1000,
    seconds,
    idleMs: Math.min(IDLE_MS, seconds * 1000),
    agents: {}
  };
}

/** `text` as an http(s) URL (relative to `base` if given), or a UserError naming `what`. */
export function parseHttpUrl(text: string, what: string, base?: string): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new UserError(
      `${what} is not a URL ("${elideText(text, 100)}")`,
      'check the registry address; report it to the registry if it persists',
      1
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(
      `${what} is not an http(s) URL ("${elideText(text, 100)}")`,
      'check the registry address; report it to the registry if it persists',
      1
    );
  }
  return url;
}

export async function httpRequest(
  url: string,
  budget: IHttpBudget,
  request: IHttpRequest = {}
): Promise<IHttpResponse> {
  let current = url;
  let headers = { ...(request.headers ?? {}) };
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await Private.once(current, budget, {
      ...request,
      headers
    });
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location) {
      const next = parseHttpUrl(
        location,
        `the redirect of ${Private.hostOf(current)}`,
        current
      );
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
    budget: IHttpBudget,
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
    // Values that came from a server (a token) must be header text, or Node throws.
    for (const [key, value] of Object.entries(request.headers ?? {})) {
      if (!/^[\x20-\x7e]*$/.test(value) || value.length > 64 * 1024) {
        return Promise.reject(
          new UserError(
            `the ${key} header for ${parsed.host} is not valid HTTP header text`,
            'check the registry and your log-in',
            1
          )
        );
      }
    }
    const maxBytes = request.maxBytes ?? 32 * 1024 * 1024;
    const remaining = budget.deadline - Date.now();
    const late = () =>
      new UserError(
        `${parsed.host} did not finish answering within ${budget.seconds} s`,
        'check your network or try again later (MLC_HTTP_TIMEOUT sets the seconds)',
        1
      );
    if (remaining <= 0) {
      return Promise.reject(late());
    }
    return new Promise((resolve, reject) => {
      // The first reason we stopped is the one told (the socket's own error follows it).
      let stopped: UserError | null = null;
      const stop = (reason: UserError) => {
        stopped ??= reason;
        req.destroy(reason);
      };
      // The overall deadline: silence is not the only way to never finish.
      const timer = setTimeout(() => stop(late()), remaining);
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(stopped ?? describe(error, parsed));
      };
      const req = client.request(
        parsed,
        {
          method: request.method ?? 'GET',
          agent: agentFor(budget, parsed.protocol === 'https:'),
          headers: { 'User-Agent': 'mlc', ...(request.headers ?? {}) }
        },
        res => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              stop(
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
          res.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
              url
            });
          });
          res.on('error', fail);
        }
      );
      req.setTimeout(budget.idleMs, () =>
        stop(
          new UserError(
            `${parsed.host} sent nothing for ${budget.idleMs / 1000} s`,
            'check your network or try again later (MLC_HTTP_TIMEOUT sets the seconds)',
            1
          )
        )
      );
      req.on('error', fail);
      req.end();
    });
  }

  /**
   * The operation's keep-alive pool for the protocol. Node unrefs a pooled
   * socket while it is idle, so a kept connection never holds mlc from
   * exiting; a request stopped (too large, too slow) destroys its socket.
   */
  function agentFor(budget: IHttpBudget, secure: boolean): http.Agent {
    const options = { keepAlive: true, maxSockets: 4 };
    if (secure) {
      return (budget.agents.https ??= new https.Agent(options));
    }
    return (budget.agents.http ??= new http.Agent(options));
  }

  function describe(error: Error, url: URL): Error {
    if (error instanceof UserError) {
      return error;
    }
    const code = errnoCode(error) ?? '';
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
