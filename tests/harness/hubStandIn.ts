/**
 * A stand-in for Docker Hub, which cannot be reached here: a local HTTPS
 * server (Node https) under a test CA made with openssl, answering with the
 * documented shapes: the token service (`{"token": ...}`), the registry v2
 * API behind a bearer challenge (proxied to a real local registry), the
 * rate-limit test manifest with or without `ratelimit-*` headers, and the
 * tags API in pages of `page_size` with `next`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import * as path from 'path';

export interface ITestCa {
  caFile: string;
  keyFile: string;
  certFile: string;
}

/** A CA and a server certificate for 127.0.0.1 signed by it, in `dir`. */
export function makeTestCa(dir: string, label: string): ITestCa {
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, `${label}-${name}`);
  const openssl = (args: string[]) =>
    execFileSync('openssl', args, { stdio: 'pipe', timeout: 60000 });
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=mlc test CA ${label}`,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem')
  ]);
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr')
  ]);
  fs.writeFileSync(
    file('ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\n'
  );
  openssl([
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('ext.cnf'),
    '-out',
    file('server.pem')
  ]);
  return {
    caFile: file('ca.pem'),
    keyFile: file('server.key'),
    certFile: file('server.pem')
  };
}

export interface IHubOptions {
  /** The real registry the v2 API is proxied to (`127.0.0.1:PORT`). */
  upstream: string;
  /** Tag names per repository, served by the tags API in pages. */
  tags: Record<string, { name: string; last_updated: string }[]>;
  pageSize: number;
  /** Rate-limit headers to send, or null for none. */
  rateLimit: { limit: string; remaining: string } | null;
}

export interface IHubStandIn {
  url: string;
  /** What was asked, for assertions: method, path and whether it carried auth. */
  requests: { method: string; path: string; auth: string | null }[];
  options: IHubOptions;
  close: () => Promise<void>;
}

export async function startHubStandIn(
  ca: ITestCa,
  options: IHubOptions
): Promise<IHubStandIn> {
  const requests: IHubStandIn['requests'] = [];
  let url = '';
  const server = https.createServer(
    { key: fs.readFileSync(ca.keyFile), cert: fs.readFileSync(ca.certFile) },
    (req, res) => {
      const target = new URL(req.url ?? '/', url);
      requests.push({
        method: req.method ?? '',
        path: target.pathname + target.search,
        auth: req.headers.authorization ?? null
      });
      if (target.pathname === '/token') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            token: `test-token:${target.searchParams.get('scope')}`,
            expires_in: 300
          })
        );
        return;
      }
      const tags = /^\/v2\/repositories\/([^/]+\/[^/]+)\/tags\/?$/.exec(
        target.pathname
      );
      if (tags) {
        const all = options.tags[tags[1]] ?? [];
        const size = Math.min(
          Number(target.searchParams.get('page_size') ?? 10),
          options.pageSize
        );
        const page = Number(target.searchParams.get('page') ?? 1);
        const results = all.slice((page - 1) * size, page * size);
        const next =
          page * size < all.length
            ? `${url}/v2/repositories/${tags[1]}/tags?page_size=${size}&page=${page + 1}`
            : null;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({ count: all.length, next, previous: null, results })
        );
        return;
      }
      const v2 = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(
        target.pathname
      );
      if (v2) {
        if (!req.headers.authorization?.startsWith('Bearer test-token:')) {
          res.writeHead(401, {
            'WWW-Authenticate': `Bearer realm="${url}/token",service="registry.docker.io",scope="repository:${v2[1]}:pull"`,
            'Content-Type': 'application/json'
          });
          res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
          return;
        }
        if (v2[1] === 'ratelimitpreview/test') {
          const headers: Record<string, string> = {
            'Content-Type':
              'application/vnd.docker.distribution.manifest.v2+json'
          };
          if (options.rateLimit) {
            headers['ratelimit-limit'] = options.rateLimit.limit;
            headers['ratelimit-remaining'] = options.rateLimit.remaining;
            headers['docker-ratelimit-source'] = '192.0.2.1';
          }
          res.writeHead(200, headers);
          res.end();
          return;
        }
        const proxied = http.request(
          {
            host: '127.0.0.1',
            port: Number(options.upstream.split(':')[1]),
            path: target.pathname,
            method: req.method,
            headers: { accept: req.headers.accept ?? '*/*' }
          },
          upstream => {
            res.writeHead(upstream.statusCode ?? 502, upstream.headers);
            upstream.pipe(res);
          }
        );
        proxied.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        proxied.end();
        return;
      }
      res.writeHead(404);
      res.end();
    }
  );
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    options,
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}
