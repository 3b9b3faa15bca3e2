/**
 * A registry's 401 says where to get a token: `WWW-Authenticate: Bearer
 * realm="https://auth.docker.io/token",service="registry.docker.io",
 * scope="repository:user/name:pull"` (RFC 6750 / the distribution token
 * spec). Parsed generically: parameters in any order, quoted or not.
 */
export interface IAuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseAuthChallenge(header: string): IAuthChallenge | null {
  const match = /^\s*([A-Za-z][A-Za-z0-9._-]*)\s*(.*)$/s.exec(header);
  if (!match) {
    return null;
  }
  const params: Record<string, string> = {};
  const pattern =
    /([A-Za-z][A-Za-z0-9._-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*,?\s*/gy;
  const rest = match[2];
  let found: RegExpExecArray | null;
  let end = 0;
  while ((found = pattern.exec(rest)) !== null && found[0].length > 0) {
    const value =
      found[2] !== undefined ? found[2].replace(/\\(.)/g, '$1') : found[3];
    params[found[1].toLowerCase()] = value;
    end = pattern.lastIndex;
  }
  if (rest.slice(end).trim() !== '') {
    return null;
  }
  return { scheme: match[1].toLowerCase(), params };
}
