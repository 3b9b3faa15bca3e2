/**
 * Where the registry API of a reference is, and Docker Hub's other
 * endpoints. Each Docker Hub endpoint can be overridden (tests, mirrors):
 *   MLC_DOCKERHUB_REGISTRY_URL  registry v2 API   (https://registry-1.docker.io)
 *   MLC_DOCKERHUB_AUTH_URL      token service      (https://auth.docker.io/token)
 *   MLC_DOCKERHUB_HUB_URL       Hub's web API      (https://hub.docker.com)
 * A registry on a loopback address (127.0.0.1, ::1, localhost) is spoken to
 * over plain HTTP, as Docker does; every other one over HTTPS only.
 */
import { elideText } from '../../../core/visibleText';
import { UserError } from '../../errors';
import {
  DOCKER_HUB,
  type IImageReference
} from '../../../core/runner/imageReference';

export interface IDockerHubEndpoints {
  registry: string;
  auth: string;
  hub: string;
}

export function dockerHubEndpoints(
  env: NodeJS.ProcessEnv
): IDockerHubEndpoints {
  return {
    registry: Private.trim(
      Private.setting(
        env,
        'MLC_DOCKERHUB_REGISTRY_URL',
        'https://registry-1.docker.io'
      )
    ),
    auth: Private.setting(
      env,
      'MLC_DOCKERHUB_AUTH_URL',
      'https://auth.docker.io/token'
    ),
    hub: Private.trim(
      Private.setting(env, 'MLC_DOCKERHUB_HUB_URL', 'https://hub.docker.com')
    )
  };
}

/** The base URL of the registry API (without `/v2/`). */
export function registryBaseUrl(
  ref: IImageReference,
  env: NodeJS.ProcessEnv
): string {
  if (ref.registry === DOCKER_HUB) {
    return dockerHubEndpoints(env).registry;
  }
  const host = ref.registry.replace(/:\d+$/, '');
  const loopback =
    host === 'localhost' ||
    host === '[::1]' ||
    /^127\.\d+\.\d+\.\d+$/.test(host);
  return `${loopback ? 'http' : 'https'}://${ref.registry}`;
}

namespace Private {
  /** A URL setting, checked when read: a bad one is the user's one line, not an internal error. */
  export function setting(
    env: NodeJS.ProcessEnv,
    name: string,
    fallback: string
  ): string {
    const value = env[name];
    if (!value) {
      return fallback;
    }
    let url: URL | null = null;
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new UserError(
        `${name}=${elideText(value, 100)} is not an http(s) URL`,
        `set it to a URL such as ${fallback}, or unset it`
      );
    }
    return value;
  }

  export function trim(url: string): string {
    return url.replace(/\/+$/, '');
  }
}
