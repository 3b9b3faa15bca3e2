/**
 * The conda side of an env's life (docs/architecture.md, "Env life"): the
 * match specs and channels `mlc env install --conda` passes to the image's
 * conda installer, and the installer's `--json` answer (micromamba's,
 * mamba's and conda's shape: `{"actions": {"LINK": [...], "UNLINK": [...],
 * "PREFIX": ...}, "dry_run", "success"}`), all validated like user input:
 * no spec, channel or name read back can be taken for an option or a path.
 *
 * Pure: no `fs`, no Node.
 */
import {
  CONDA_BUILD_PATTERN,
  MAX_ENV_PACKAGES,
  PACKAGE_VERSION_PATTERN
} from './envLife';
import { elideText } from './visibleText';

/** A conda package name: like a PyPI name, but may start with `_` (`_libgcc_mutex`). */
export const CONDA_NAME_PATTERN =
  /^[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,198}[A-Za-z0-9_])?$/;

/** An md5 and a sha256 as conda records spell them (lower-case hex). */
export const CONDA_MD5_PATTERN = /^[0-9a-f]{32}$/;
export const CONDA_SHA256_PATTERN = /^[0-9a-f]{64}$/;

/** A version clause: an operator and a version (`*` allowed, as in `1.2.*`). */
const VERSION_CLAUSE = String.raw`(?:==|=|>=|<=|>|<|!=|~=)[A-Za-z0-9.*+!_]+`;

/**
 * `name`, `name=1.2`, `name>=1.2,<2`, `name==1.2=build`: a name, optional
 * version clauses joined by `,` or `|`, an optional `=build`. No spaces, no
 * `channel::` prefix (channels are --channel), never a leading `-`.
 */
const CONDA_SPEC_PATTERN = new RegExp(
  String.raw`^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}(?:${VERSION_CLAUSE}(?:[,|]${VERSION_CLAUSE})*(?:=[A-Za-z0-9_.*+]{1,100})?)?$`
);

/** What is wrong with a conda match spec the user gave, or null. */
export function condaSpecProblem(spec: string): string | null {
  if (spec.startsWith('-')) {
    return `'${elideText(spec, 100)}' starts with '-' (a spec is never an option)`;
  }
  if (spec.length > 300 || !CONDA_SPEC_PATTERN.test(spec)) {
    return `invalid conda spec '${elideText(spec, 100)}'`;
  }
  return null;
}

/** The name of a valid conda match spec. */
export function condaSpecName(spec: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]*?(?=[=<>!~]|$)/.exec(spec)?.[0] ?? spec;
}

/** A channel: a name (`conda-forge`, `owner/label`) or an http(s)/file URL. */
const CHANNEL_PATTERN =
  /^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,99}(?:\/[A-Za-z0-9][A-Za-z0-9._-]{0,99}){0,3}|(?:https?|file):\/\/[A-Za-z0-9._~%/:@+-]{1,1000})$/;

/** What is wrong with a channel (given by the user or read from a record), or null. */
export function condaChannelProblem(channel: string): string | null {
  if (channel.startsWith('-')) {
    return `channel '${elideText(channel, 100)}' starts with '-' (a channel is never an option)`;
  }
  if (!CHANNEL_PATTERN.test(channel) || channel.includes('/../')) {
    return `invalid channel '${elideText(channel, 100)}'`;
  }
  return null;
}

/** The platform subdirectories a record's channel or URL may end with. */
const SUBDIR =
  /\/(?:noarch|(?:linux|osx|win|emscripten|wasi|zos)-[a-z0-9_]+)\/?$/;

/**
 * The channel to give `-c` for a record's `channel` (records say
 * `https://conda.anaconda.org/conda-forge/linux-64` or `file:///ch/`):
 * without the platform subdirectory and trailing slash; null when invalid.
 */
export function channelOfRecord(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 1100) {
    return null;
  }
  const channel = raw.replace(SUBDIR, '').replace(/\/+$/, '');
  return channel && !condaChannelProblem(channel) ? channel : null;
}

/** One package of the installer's LINK or UNLINK list, validated. */
export interface ICondaAction {
  name: string;
  version: string;
  build: string;
  channel?: string;
  md5?: string;
  sha256?: string;
}

/** The installer's answer: what it links and unlinks (or would, with --dry-run). */
export interface ICondaTransaction {
  success: boolean;
  dryRun: boolean;
  link: ICondaAction[];
  unlink: ICondaAction[];
}

/** At most this many bytes of the installer's answer are parsed. */
export const MAX_CONDA_ANSWER_BYTES = 32 << 20;

/**
 * The installer's `--json` answer, from its stdout (mamba may print lines
 * before the JSON object); a reason when it is not one or names anything
 * that is not a valid package name, version, build, channel or digest.
 */
export function parseCondaAnswer(
  stdout: string
): { ok: true; value: ICondaTransaction } | { ok: false; error: string } {
  if (stdout.length > MAX_CONDA_ANSWER_BYTES) {
    return { ok: false, error: 'its answer is larger than 32 MiB' };
  }
  const start = /^\{/m.exec(stdout)?.index ?? -1;
  const end = stdout.lastIndexOf('}');
  if (start < 0 || end < start) {
    return { ok: false, error: 'it printed no JSON answer' };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(stdout.slice(start, end + 1));
  } catch {
    return { ok: false, error: 'its JSON answer does not parse' };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, error: 'its JSON answer is not an object' };
  }
  const answer = raw as {
    success?: unknown;
    dry_run?: unknown;
    actions?: unknown;
  };
  const actions = (answer.actions ?? {}) as {
    LINK?: unknown;
    UNLINK?: unknown;
  } | null;
  if (!actions || typeof actions !== 'object' || Array.isArray(actions)) {
    return { ok: false, error: "its JSON answer's actions are not an object" };
  }
  const link = Private.entries(actions.LINK, 'LINK');
  if (!link.ok) {
    return link;
  }
  const unlink = Private.entries(actions.UNLINK, 'UNLINK');
  if (!unlink.ok) {
    return unlink;
  }
  return {
    ok: true,
    value: {
      success: answer.success === true,
      dryRun: answer.dry_run === true,
      link: link.value,
      unlink: unlink.value
    }
  };
}

namespace Private {
  export function entries(
    raw: unknown,
    what: string
  ): { ok: true; value: ICondaAction[] } | { ok: false; error: string } {
    if (raw === undefined || raw === null) {
      return { ok: true, value: [] };
    }
    if (!Array.isArray(raw) || raw.length > MAX_ENV_PACKAGES) {
      return {
        ok: false,
        error: `its ${what} list is not a list of at most ${MAX_ENV_PACKAGES} packages`
      };
    }
    const found: ICondaAction[] = [];
    for (const item of raw as unknown[]) {
      const entry = (item ?? {}) as Record<string, unknown>;
      const name = entry.name;
      const version = entry.version;
      const build = entry.build_string ?? entry.build;
      if (
        typeof name !== 'string' ||
        typeof version !== 'string' ||
        typeof build !== 'string' ||
        !CONDA_NAME_PATTERN.test(name) ||
        !PACKAGE_VERSION_PATTERN.test(version) ||
        !CONDA_BUILD_PATTERN.test(build)
      ) {
        return {
          ok: false,
          error: `its ${what} list names a package that is not a valid name, version and build`
        };
      }
      const action: ICondaAction = { name, version, build };
      const channelRaw = entry.channel ?? entry.base_url;
      if (channelRaw !== undefined && channelRaw !== null) {
        const channel = channelOfRecord(channelRaw);
        if (!channel) {
          return {
            ok: false,
            error: `its ${what} list gives ${name} a channel that is not a valid channel`
          };
        }
        action.channel = channel;
      }
      for (const [field, pattern] of [
        ['md5', CONDA_MD5_PATTERN],
        ['sha256', CONDA_SHA256_PATTERN]
      ] as const) {
        const digest = entry[field];
        if (digest === undefined || digest === null || digest === '') {
          continue;
        }
        if (typeof digest !== 'string' || !pattern.test(digest)) {
          return {
            ok: false,
            error: `its ${what} list gives ${name} an invalid ${field}`
          };
        }
        action[field] = digest;
      }
      found.push(action);
    }
    return { ok: true, value: found };
  }
}
