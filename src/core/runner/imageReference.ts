/**
 * Image references as engines write them: `[registry/]path[:tag][@digest]`.
 * A first component with a dot, a colon or `localhost` is the registry;
 * otherwise Docker Hub, where a one-component path is under `library/`.
 */
import type { ParseResult } from '../parseJson';
import { argumentProblem } from '../argv';

export interface IImageReference {
  /** As written by users: `docker.io`, `127.0.0.1:5000`, `ghcr.io`. */
  registry: string;
  /** e.g. `yesw2000/ml-base` */
  repository: string;
  tag: string;
  /** `sha256:...` when the reference pins one. */
  digest: string | null;
}

export const DOCKER_HUB = 'docker.io';

export function parseImageReference(
  text: string
): ParseResult<IImageReference> {
  // Engines get it as an argument: the one rule for such values first.
  if (argumentProblem(text, 512) !== null || /\s/.test(text)) {
    return {
      ok: false,
      error: 'expected a registry reference such as docker.io/user/name:tag'
    };
  }
  let rest = text;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) {
      return {
        ok: false,
        error: `the digest of ${text} is not sha256:<64 hex digits>`
      };
    }
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost')) {
    registry = parts.shift() as string;
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') {
    registry = DOCKER_HUB;
  }
  let last = parts[parts.length - 1];
  let tag = 'latest';
  const colon = last.lastIndexOf(':');
  if (colon >= 0) {
    tag = last.slice(colon + 1);
    last = last.slice(0, colon);
    parts[parts.length - 1] = last;
  }
  if (registry === DOCKER_HUB && parts.length === 1) {
    parts.unshift('library');
  }
  const repository = parts.join('/');
  if (
    !Private.REPOSITORY.test(repository) ||
    !Private.TAG.test(tag) ||
    !Private.REGISTRY.test(registry)
  ) {
    return { ok: false, error: `${text} is not a valid image reference` };
  }
  return { ok: true, value: { registry, repository, tag, digest } };
}

/** The reference back as text, tag and digest included. */
export function formatImageReference(ref: IImageReference): string {
  return `${ref.registry}/${ref.repository}:${ref.tag}${ref.digest ? `@${ref.digest}` : ''}`;
}

namespace Private {
  const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
  export const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
  export const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
  /** Host labels as DNS has them: no label starts or ends with '-'. */
  const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
  export const REGISTRY = new RegExp(
    `^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9a-fA-F:]+\\])(?::\\d{1,5})?$`
  );
}
