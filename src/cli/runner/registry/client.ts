/**
 * The registry v2 API spoken directly: the anonymous (or logged-in) bearer
 * token from a 401's WWW-Authenticate, manifests of every kind engines push
 * (OCI index and manifest, Docker manifest list and v2 manifest), the
 * platform's entry picked from an index, and the config blob for labels.
 */
import { parseAuthChallenge } from '../../../core/runner/authChallenge';
import { sha256HexOfBytes } from '../../../core/sha256';
import type { IImageReference } from '../../../core/runner/imageReference';
import { elideText } from '../../../core/visibleText';
import { UserError } from '../../errors';
import { findCredentials } from './credentials';
import { registryBaseUrl } from './endpoints';
import {
  httpBudget,
  httpRequest,
  parseHttpUrl,
  type IHttpBudget,
  type IHttpResponse
} from './http';

/** Bounds on what a registry may send: no real manifest, config or token comes near. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
const MAX_TOKEN_ANSWER_BYTES = 256 * 1024;
const MAX_TOKEN_CHARS = 16 * 1024;

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json'
};

export interface IPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface IManifestFacts {
  /** Digest of what the tag points at (the index for multi-platform images). */
  digest: string;
  mediaType: string;
  /** The platform manifest's digest (same as `digest` for single manifests). */
  platformDigest: string;
  platform: IPlatform | null;
  /** Sum of the platform manifest's layer sizes. */
  compressedSize: number;
  configDigest: string;
}

export interface IImageFacts extends IManifestFacts {
  created: string | null;
  labels: Record<string, string>;
}

export class RegistryClient {
  private _token: string | null = null;
  private readonly _base: string;
  private readonly _env: NodeJS.ProcessEnv;
  /** One operation's time: every request of this client shares it. */
  private readonly _budget: IHttpBudget;

  constructor(
    private readonly _ref: IImageReference,
    env: NodeJS.ProcessEnv
  ) {
    this._budget = httpBudget(env);
    this._base = registryBaseUrl(_ref, env);
    this._env = env;
  }

  /** The manifest the tag (or pinned digest) names, resolved to this platform's. */
  async manifest(platform: IPlatform): Promise<IManifestFacts> {
    const top = await this._getManifest(this._ref.digest ?? this._ref.tag);
    const digest = top.digest;
    if (
      top.mediaType === MEDIA.ociIndex ||
      top.mediaType === MEDIA.dockerList
    ) {
      const entries = Array.isArray(top.json.manifests)
        ? (top.json.manifests as IIndexEntry[])
        : [];
      const entry = Private.pickPlatform(entries, platform);
      if (!entry) {
        const offered = entries
          .map(e => `${e.platform?.os}/${e.platform?.architecture}`)
          .join(', ');
        throw new UserError(
          `${this._ref.repository}:${this._ref.tag} has no image for ${platform.os}/${platform.architecture} (it has: ${offered || 'none'})`,
          'choose another image or set MLC_PLATFORM',
          1
        );
      }
      const inner = await this._getManifest(entry.digest);
      return {
        ...Private.singleFacts(inner),
        digest,
        mediaType: top.mediaType,
        platform: entry.platform ?? null
      };
    }
    return { ...Private.singleFacts(top), digest, platform: null };
  }

  /** Digest, size, created date and labels of the image for this platform. */
  async imageFacts(platform: IPlatform): Promise<IImageFacts> {
    const manifest = await this.manifest(platform);
    const response = await this._get(
      `/v2/${this._ref.repository}/blobs/${manifest.configDigest}`,
      {},
      MAX_CONFIG_BYTES
    );
    if (response.status !== 200) {
      throw Private.statusError(this._ref, response, 'the image configuration');
    }
    const config = Private.parseJson(
      response.body,
      'the image configuration'
    ) as {
      created?: unknown;
      config?: { Labels?: unknown };
    };
    const labels: Record<string, string> = {};
    const raw = config.config?.Labels;
    if (typeof raw === 'object' && raw !== null) {
      for (const [key, value] of Object.entries(raw)) {
        if (typeof value === 'string') {
          labels[key] = value;
        }
      }
    }
    return {
      ...manifest,
      created: typeof config.created === 'string' ? config.created : null,
      labels
    };
  }

  private async _getManifest(reference: string): Promise<IFetchedManifest> {
    const accept = [
      MEDIA.ociIndex,
      MEDIA.dockerList,
      MEDIA.ociManifest,
      MEDIA.dockerManifest
    ].join(', ');
    const response = await this._get(
      `/v2/${this._ref.repository}/manifests/${reference}`,
      { Accept: accept },
      MAX_MANIFEST_BYTES
    );
    if (response.status !== 200) {
      throw Private.statusError(this._ref, response, 'the manifest');
    }
    const json = Private.parseJson(response.body, 'the manifest') as Record<
      string,
      unknown
    >;
    // The digest reported is always the hash of the body read; the
    // registry's header is only checked against it, never trusted over it.
    // The pure SHA-256: loading `crypto` would cost more than hashing a manifest.
    const digest = `sha256:${sha256HexOfBytes(response.body)}`;
    const header = response.headers['docker-content-digest'];
    // Another algorithm (sha512:...) cannot be compared with sha256; ignored.
    if (
      typeof header === 'string' &&
      header.toLowerCase().startsWith('sha256:') &&
      header !== digest
    ) {
      throw new UserError(
        `the registry's Docker-Content-Digest for ${this._ref.repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference} is not the sha256 of the manifest it sent (${digest})`,
        'the registry or a proxy in between altered the manifest; try again, report it if it persists',
        1
      );
    }
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new UserError(
        `the registry sent a manifest whose digest is not ${reference}`,
        'try again; report it if it persists',
        1
      );
    }
    const contentType = String(response.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    const mediaType =
      typeof json.mediaType === 'string' ? json.mediaType : contentType;
    return { json, digest, mediaType };
  }

  /** GET with the registry's auth flow: on a 401, fetch a token once and retry. */
  private async _get(
    pathname: string,
    headers: Record<string, string>,
    maxBytes: number
  ): Promise<IHttpResponse> {
    const url = `${this._base}${pathname}`;
    const withAuth = () =>
      this._token ? { ...headers, Authorization: this._token } : headers;
    let response = await httpRequest(url, this._budget, {
      headers: withAuth(),
      maxBytes
    });
    if (response.status === 401 && !this._token) {
      this._token = await this._authorize(
        String(response.headers['www-authenticate'] ?? '')
      );
      response = await httpRequest(url, this._budget, {
        headers: withAuth(),
        maxBytes
      });
    }
    return response;
  }

  private async _authorize(header: string): Promise<string> {
    const challenge = parseAuthChallenge(header);
    // The log-in files are read only when the registry asks (an open registry never needs them).
    const credentials = findCredentials(this._ref.registry, this._env);
    const basic = credentials
      ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
      : null;
    if (challenge?.scheme === 'basic' && basic) {
      return basic;
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
      throw new UserError(
        `${this._ref.registry} asks for authentication this mlc cannot do (${elideText(header, 60) || 'no WWW-Authenticate'})`,
        `log in with 'podman login ${this._ref.registry}'`,
        1
      );
    }
    return `Bearer ${await fetchBearerToken(challenge.params, `repository:${this._ref.repository}:pull`, basic, this._budget)}`;
  }
}

/** A token from the realm a challenge names (anonymous, or with the user's log-in). */
export async function fetchBearerToken(
  params: Record<string, string>,
  scope: string,
  basicAuth: string | null,
  budget: IHttpBudget
): Promise<string> {
  const url = parseHttpUrl(params.realm, 'the token service (realm)');
  if (params.service) {
    url.searchParams.set('service', params.service);
  }
  url.searchParams.set('scope', params.scope ?? scope);
  const response = await httpRequest(url.toString(), budget, {
    headers: basicAuth ? { Authorization: basicAuth } : {},
    maxBytes: MAX_TOKEN_ANSWER_BYTES
  });
  if (response.status !== 200) {
    throw new UserError(
      `the token service ${url.host} answered ${response.status}`,
      basicAuth
        ? 'check the log-in in your auth.json (podman login / docker login)'
        : 'try again later',
      1
    );
  }
  const body = Private.parseJson(response.body, 'the token') as {
    token?: unknown;
    access_token?: unknown;
  };
  const token = typeof body.token === 'string' ? body.token : body.access_token;
  if (typeof token !== 'string' || token.length === 0) {
    throw new UserError(
      `the token service ${url.host} sent no token`,
      'try again later',
      1
    );
  }
  // It goes back in a header: printable ASCII of a sane length only.
  if (token.length > MAX_TOKEN_CHARS || !/^[\x21-\x7e]+$/.test(token)) {
    throw new UserError(
      `the token service ${url.host} sent a token that is not one (${token.length > MAX_TOKEN_CHARS ? `${token.length} characters` : 'not printable ASCII'})`,
      'check the registry address; report it to the registry if it persists',
      1
    );
  }
  return token;
}

/** This machine's platform as registries name it (MLC_PLATFORM=os/arch[/variant] overrides). */
export function hostPlatform(env: NodeJS.ProcessEnv): IPlatform {
  if (env.MLC_PLATFORM) {
    const [os, architecture, variant] = env.MLC_PLATFORM.split('/');
    return { os, architecture, ...(variant ? { variant } : {}) };
  }
  const arch: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x'
  };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

interface IIndexEntry {
  digest: string;
  mediaType?: string;
  platform?: IPlatform;
}

interface IFetchedManifest {
  json: Record<string, unknown>;
  digest: string;
  mediaType: string;
}

namespace Private {
  export function pickPlatform(
    entries: IIndexEntry[],
    want: IPlatform
  ): IIndexEntry | undefined {
    const candidates = entries.filter(
      e =>
        typeof e.digest === 'string' &&
        /^sha256:[a-f0-9]{64}$/.test(e.digest) &&
        e.platform?.os === want.os &&
        e.platform?.architecture === want.architecture
    );
    return (
      candidates.find(
        e => !want.variant || e.platform?.variant === want.variant
      ) ?? candidates[0]
    );
  }

  export function singleFacts(
    manifest: IFetchedManifest
  ): Omit<IManifestFacts, 'digest' | 'platform'> {
    const { json } = manifest;
    if (
      manifest.mediaType !== MEDIA.ociManifest &&
      manifest.mediaType !== MEDIA.dockerManifest &&
      !Array.isArray(json.layers)
    ) {
      throw new UserError(
        `the registry sent a manifest of an unsupported kind (${manifest.mediaType})`,
        'report this image',
        1
      );
    }
    const layers = Array.isArray(json.layers)
      ? (json.layers as { size?: unknown }[])
      : [];
    const config = json.config as { digest?: unknown } | undefined;
    if (
      typeof config?.digest !== 'string' ||
      !/^sha256:[a-f0-9]{64}$/.test(config.digest)
    ) {
      throw new UserError(
        'the manifest names no valid config digest',
        'report this image',
        1
      );
    }
    return {
      mediaType: manifest.mediaType,
      platformDigest: manifest.digest,
      compressedSize: layers.reduce(
        (sum, layer) => sum + (typeof layer.size === 'number' ? layer.size : 0),
        0
      ),
      configDigest: config.digest
    };
  }

  export function parseJson(body: Buffer, what: string): unknown {
    try {
      const value = JSON.parse(body.toString('utf-8')) as unknown;
      if (typeof value !== 'object' || value === null) {
        throw new Error('not an object');
      }
      return value;
    } catch {
      throw new UserError(
        `the registry sent ${what} that is not JSON`,
        'check the registry address',
        1
      );
    }
  }

  export function statusError(
    ref: IImageReference,
    response: IHttpResponse,
    what: string
  ): UserError {
    if (response.status === 404) {
      return new UserError(
        `${ref.registry}/${ref.repository}:${ref.tag} was not found in the registry`,
        'check the image reference in the catalogue',
        1
      );
    }
    if (response.status === 401 || response.status === 403) {
      return new UserError(
        `the registry refused access to ${ref.repository} (${response.status})`,
        `log in with 'podman login ${ref.registry}'`,
        1
      );
    }
    if (response.status === 429) {
      return new UserError(
        'the registry says too many requests (429)',
        "wait, or see 'mlc pull-limit'",
        1
      );
    }
    return new UserError(
      `the registry answered ${response.status} for ${what} of ${ref.repository}`,
      'try again later',
      1
    );
  }
}
