/**
 * The package manifest of an image (`mlc image manifest`): parsing what the
 * package managers leave on disk and formatting `list-of-pkgs-inside.txt`
 * and `image.json`.
 *
 * Pure: callers read the files and pass their text in, so the browser could
 * use the same rules and unit tests need no disk.
 */
import * as z from 'zod/mini';
import { parseJson, type ParseResult } from './parseJson';
import {
  IMAGE_METADATA_VERSION,
  validateImageMetadata,
  type ImageMetadata,
  type ImagePackage,
  type PackageSource
} from './imageMetadata';

/** The seed's file name, at the top of every image. */
export const PACKAGE_LIST_FILE = 'list-of-pkgs-inside.txt';

/** The fields of a `conda-meta/*.json` record the manifest reads. */
export interface ICondaRecord {
  name: string;
  version: string;
  build?: string;
  channel?: string;
  subdir?: string;
  /** Prefix-relative paths of the files the package installed. */
  files: string[];
}

/**
 * Parse one conda-meta record. `file` names it in the error (e.g.
 * `conda-meta/numpy-1.26.4-py311h64a7726_0.json`).
 */
export function parseCondaRecord(
  text: string,
  file: string
): ParseResult<ICondaRecord> {
  const parsed = parseJson(Private.condaRecordSchema, file, text);
  if (!parsed.ok) {
    return parsed;
  }
  const record = parsed.value;
  return {
    ok: true,
    value: {
      name: record.name,
      version: record.version,
      ...(record.build !== undefined ? { build: record.build } : {}),
      ...(record.channel !== undefined ? { channel: record.channel } : {}),
      ...(record.subdir !== undefined ? { subdir: record.subdir } : {}),
      files: record.files ?? []
    }
  };
}

/**
 * The short channel name users know (`conda-forge`), from what micromamba
 * records (`https://conda.anaconda.org/conda-forge/linux-64`). Other URLs
 * keep their host; only the platform subdirectory is dropped.
 */
export function condaChannelName(channel: string, subdir?: string): string {
  let name = Private.trimTrailingSlashes(channel);
  const last = name.slice(name.lastIndexOf('/') + 1);
  if (
    name.includes('/') &&
    (last === subdir || Private.PLATFORM_SUBDIR.test(last))
  ) {
    name = name.slice(0, name.lastIndexOf('/'));
  }
  return name.replace(/^https?:\/\/conda\.anaconda\.org\//, '');
}

/** The package entry of a conda record. */
export function condaPackage(record: ICondaRecord): ImagePackage {
  const channel = record.channel
    ? condaChannelName(record.channel, record.subdir)
    : '';
  return {
    name: record.name,
    version: record.version,
    source: 'conda',
    ...(record.build ? { build: record.build } : {}),
    ...(channel ? { channel } : {})
  };
}

/**
 * The `*.dist-info` directories (prefix-relative, e.g.
 * `lib/python3.11/site-packages/numpy-1.26.4.dist-info`) that conda
 * packages installed: pip must not list them a second time.
 */
export function condaOwnedDistInfos(
  records: readonly ICondaRecord[]
): Set<string> {
  const owned = new Set<string>();
  for (const record of records) {
    for (const file of record.files) {
      const distInfo = Private.distInfoInPath(file);
      if (distInfo !== null) {
        owned.add(distInfo);
      }
    }
  }
  return owned;
}

/** True when a dist-info's INSTALLER names a conda-family installer. */
export function installedByConda(installerText: string): boolean {
  return Private.CONDA_INSTALLERS.has(installerText.trim().toLowerCase());
}

/** Name and version of a Python distribution. */
export interface IDistribution {
  name: string;
  version: string;
}

/**
 * Name and version from the header of a dist-info `METADATA` (core
 * metadata: e-mail style headers up to the first blank line), or null when
 * either is missing.
 */
export function parseCoreMetadata(text: string): IDistribution | null {
  const headers = Private.headerFields(text.split(/\r?\n/), true);
  const name = headers.get('name')?.[0]?.trim() ?? '';
  const version = headers.get('version')?.[0]?.trim() ?? '';
  return name && version ? { name, version } : null;
}

/**
 * Name and version from a dist-info directory name (`name-version.dist-info`,
 * where the name has `-` escaped as `_`), the fallback pip uses too.
 */
export function parseDistInfoName(dirName: string): IDistribution | null {
  const match = /^([^-]+)-([^-]+)\.dist-info$/.exec(dirName);
  return match ? { name: match[1], version: match[2] } : null;
}

/** A package of the operating system's package manager. */
export interface ISystemPackage {
  name: string;
  version: string;
}

/**
 * The installed packages of a dpkg status file (`/var/lib/dpkg/status`):
 * stanzas whose Status ends in `installed` (not `config-files`,
 * `half-installed` and the like), with their full Debian version.
 */
export function parseDpkgStatus(text: string): ISystemPackage[] {
  const packages: ISystemPackage[] = [];
  for (const stanza of text.split(/\r?\n(?:[ \t]*\r?\n)+/)) {
    const fields = Private.headerFields(stanza.split(/\r?\n/), false);
    const name = fields.get('package')?.[0]?.trim();
    const version = fields.get('version')?.[0]?.trim();
    const status = fields.get('status')?.[0]?.trim().split(/\s+/) ?? [];
    if (name && version && status[status.length - 1] === 'installed') {
      packages.push({ name, version });
    }
  }
  return packages;
}

/** The `--queryformat` `mlc` gives `rpm -qa`: name, a tab, version-release. */
export const RPM_QUERY_FORMAT = '%{NAME}\t%{VERSION}-%{RELEASE}\n';

/**
 * The packages `rpm -qa --qf RPM_QUERY_FORMAT` printed; the `gpg-pubkey`
 * pseudo-packages (imported signing keys) are not packages of the image.
 */
export function parseRpmQuery(output: string): ISystemPackage[] {
  const packages: ISystemPackage[] = [];
  for (const line of output.split('\n')) {
    const [name, version] = line.split('\t');
    if (name && version && name !== 'gpg-pubkey') {
      packages.push({ name: name.trim(), version: version.trim() });
    }
  }
  return packages;
}

/**
 * The variables of an os-release file (shell-style assignments; values
 * unquoted, single- or double-quoted with backslash escapes).
 */
export function parseOsRelease(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) {
      values.set(match[1], Private.unquoteShellValue(match[2].trim()));
    }
  }
  return values;
}

/** The OS name to show: PRETTY_NAME, else NAME VERSION, else empty. */
export function osDisplayName(osRelease: Map<string, string>): string {
  const pretty = osRelease.get('PRETTY_NAME');
  if (pretty) {
    return pretty;
  }
  return [osRelease.get('NAME'), osRelease.get('VERSION')]
    .filter(Boolean)
    .join(' ');
}

/**
 * The key under which two spellings of one package meet: lower case, runs of
 * `-`, `_` and `.` as one `-` (PEP 503), so pip's `typing_extensions` and
 * conda's `typing-extensions` are the same package.
 */
export function packageKey(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * One list from the three sources: each package once (by `packageKey`), the
 * entry of the first source that has it winning in the order conda, pip,
 * system (conda records are the image's truth; pip installs on top of conda;
 * the OS packages sit underneath both), then sorted case-insensitively.
 */
export function mergePackages(
  sources: Record<PackageSource, readonly ImagePackage[]>
): ImagePackage[] {
  const chosen = new Map<string, ImagePackage>();
  for (const source of Private.PRECEDENCE) {
    // Within one source, a deterministic pick too (multi-arch dpkg, stray dist-infos).
    for (const pkg of [...sources[source]].sort(comparePackages)) {
      const key = packageKey(pkg.name);
      if (!chosen.has(key)) {
        chosen.set(key, pkg);
      }
    }
  }
  return [...chosen.values()].sort(comparePackages);
}

/** What a line of the package list shows. */
export type INamedVersion = Pick<ImagePackage, 'name' | 'version'>;

/** Case-insensitive by name, then exact name and version, so the order is total. */
export function comparePackages(a: INamedVersion, b: INamedVersion): number {
  return (
    Private.compareText(a.name.toLowerCase(), b.name.toLowerCase()) ||
    Private.compareText(a.name, b.name) ||
    Private.compareText(a.version, b.version)
  );
}

/** Why a name or version cannot go on a `name version` line, or null. */
export function packageFieldProblem(
  field: 'name' | 'version',
  value: string
): string | null {
  if (value.length === 0) {
    return `the ${field} is empty`;
  }
  if (/[\s\p{Cc}]/u.test(value)) {
    return `the ${field} "${Private.printable(value)}" contains whitespace or a control character`;
  }
  if (value.includes('\ufffd')) {
    return `the ${field} "${Private.printable(value)}" is not valid UTF-8`;
  }
  return null;
}

/** `list-of-pkgs-inside.txt`: one `name version` a line, in the given order. */
export function formatPackageList(packages: readonly INamedVersion[]): string {
  return packages.map(pkg => `${pkg.name} ${pkg.version}\n`).join('');
}

/** The lines of a `list-of-pkgs-inside.txt` back as names and versions (blank lines skipped). */
export function parsePackageList(text: string): IDistribution[] {
  return text
    .split(/\r?\n/)
    .filter(line => line.trim() !== '')
    .map(line => {
      const [name, ...rest] = line.trim().split(/\s+/);
      return { name, version: rest.join(' ') };
    });
}

/**
 * True for an ISO 8601 calendar date or date-time as builds record it:
 * `2024-05-01`, `2024-05-01T12:30Z`, `2024-05-01T12:30:00.5+02:00`; the
 * fields must name a real moment (no month 13, no 31 April).
 */
export function isIsoDateTime(text: string): boolean {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/.exec(
      text
    );
  if (!match) {
    return false;
  }
  const [year, month, day] = [match[1], match[2], match[3]].map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) {
    return false;
  }
  const [hour, minute, second] = [match[4], match[5], match[6]].map(v =>
    Number(v ?? 0)
  );
  const [offsetHours, offsetMinutes] = [match[8], match[9]].map(v =>
    Number(v ?? 0)
  );
  return (
    hour < 24 &&
    minute < 60 &&
    second < 60 &&
    offsetHours < 24 &&
    offsetMinutes < 60
  );
}

/** An instant as ISO 8601 in UTC, to the second (`2024-05-01T12:30:00Z`). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Everything `image.json` records besides the packages. */
export interface IImageFacts {
  name: string;
  tag: string;
  os: string;
  python: string;
  flavour: 'cpu' | 'gpu';
  buildDate: string;
  prefix: string;
  dockerPath?: string;
}

/**
 * The `image.json` value, validated against the contract, with the keys in
 * one fixed order (the schema's) so equal inputs give byte-equal files.
 */
export function buildImageMetadata(
  facts: IImageFacts,
  packages: readonly ImagePackage[]
): ParseResult<ImageMetadata> {
  const value = {
    schemaVersion: IMAGE_METADATA_VERSION,
    name: facts.name,
    tag: facts.tag,
    os: facts.os,
    python: facts.python,
    flavour: facts.flavour,
    buildDate: facts.buildDate,
    prefix: facts.prefix,
    ...(facts.dockerPath ? { dockerPath: facts.dockerPath } : {}),
    packages: packages.map(pkg => ({
      name: pkg.name,
      version: pkg.version,
      source: pkg.source,
      ...(pkg.build ? { build: pkg.build } : {}),
      ...(pkg.channel ? { channel: pkg.channel } : {})
    }))
  };
  const checked = validateImageMetadata(value);
  // Return our own object, not the validator's copy: its key order is ours.
  return checked.ok ? { ok: true, value: value as ImageMetadata } : checked;
}

/** The text of `image.json`: two-space JSON and a final newline. */
export function formatImageJson(metadata: ImageMetadata): string {
  return JSON.stringify(metadata, null, 2) + '\n';
}

namespace Private {
  export const PRECEDENCE: readonly PackageSource[] = [
    'conda',
    'pip',
    'system'
  ];

  /** What conda, mamba and micromamba write into a dist-info's INSTALLER. */
  export const CONDA_INSTALLERS = new Set(['conda', 'mamba', 'micromamba']);

  /** conda platform subdirectories: `noarch`, `linux-64`, `osx-arm64`, `win-32`, ... */
  export const PLATFORM_SUBDIR =
    /^(noarch|(linux|osx|win|emscripten|wasi|zos)-[a-z0-9_]+)$/;

  const DIST_INFO = '.dist-info';

  /**
   * The first `<name>.dist-info` directory of a record's file path,
   * prefix-relative (a leading `./` or `/` dropped), or null. A scan of the
   * parts, not a regex: file names are attacker-controlled, and a regex with
   * a lazy prefix took time quadratic in a long name.
   */
  export function distInfoInPath(file: string): string | null {
    let start = 0;
    while (start <= file.length) {
      const slash = file.indexOf('/', start);
      const end = slash < 0 ? file.length : slash;
      if (
        end - start > DIST_INFO.length &&
        file.startsWith(DIST_INFO, end - DIST_INFO.length)
      ) {
        return stripLeadingSlashes(file.slice(0, end));
      }
      start = end + 1;
    }
    return null;
  }

  function stripLeadingSlashes(text: string): string {
    let from = text.startsWith('./') ? 1 : 0;
    while (text[from] === '/') {
      from++;
    }
    return text.slice(from);
  }

  /** `text` without trailing slashes, in linear time (`/\/+$/` is quadratic on runs of slashes). */
  export function trimTrailingSlashes(text: string): string {
    let end = text.length;
    while (end > 0 && text[end - 1] === '/') {
      end--;
    }
    return text.slice(0, end);
  }

  const nonBlank = z.string().check(
    z.minLength(1, 'is empty'),

    z.regex(/^[^\s\p{Cc}]+$/u, 'contains whitespace or a control character')
  );

  export const condaRecordSchema = z.object({
    name: nonBlank,
    version: nonBlank,
    build: z.optional(z.string()),
    channel: z.optional(z.string()),
    subdir: z.optional(z.string()),
    files: z.optional(z.array(z.string()))
  });

  /**
   * E-mail style headers (`Key: value`, continuation lines indented), keys
   * lower-cased, values in order. `stopAtBlank` ends at the first blank line
   * (the METADATA body is the long description).
   */
  export function headerFields(
    lines: string[],
    stopAtBlank: boolean
  ): Map<string, string[]> {
    const fields = new Map<string, string[]>();
    let last: string[] | null = null;
    for (const line of lines) {
      if (line.trim() === '') {
        if (stopAtBlank) {
          break;
        }
        continue;
      }
      if (/^[ \t]/.test(line)) {
        if (last) {
          last[last.length - 1] += '\n' + line.trim();
        }
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) {
        last = null;
        continue;
      }
      const key = line.slice(0, colon).trim().toLowerCase();
      const values = fields.get(key) ?? [];
      values.push(line.slice(colon + 1).trim());
      fields.set(key, values);
      last = values;
    }
    return fields;
  }

  /** One shell word of os-release: quotes removed, escapes resolved. */
  export function unquoteShellValue(raw: string): string {
    let out = '';
    let i = 0;
    while (i < raw.length) {
      const char = raw[i];
      if (char === '"') {
        i++;
        while (i < raw.length && raw[i] !== '"') {
          if (
            raw[i] === '\\' &&
            i + 1 < raw.length &&
            '"\\$`'.includes(raw[i + 1])
          ) {
            i++;
          }
          out += raw[i++];
        }
        i++;
      } else if (char === "'") {
        const end = raw.indexOf("'", i + 1);
        const stop = end < 0 ? raw.length : end;
        out += raw.slice(i + 1, stop);
        i = stop + 1;
      } else if (char === '\\' && i + 1 < raw.length) {
        out += raw[i + 1];
        i += 2;
      } else if (char === '#' && out === '') {
        break;
      } else {
        out += char;
        i++;
      }
    }
    return out;
  }

  /** Code-unit order: the same on every machine, unlike localeCompare. */
  export function compareText(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** A value safe to put in a one-line message. */
  export function printable(value: string): string {
    return JSON.stringify(value)
      .slice(1, -1)
      .replace(/[\u007f]/g, '\\u007f');
  }
}
