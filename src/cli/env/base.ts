/**
 * The base an extended env layers over (the image's Python prefix, e.g.
 * /opt/conda): which one, and the facts about it `create` and `check` need.
 * Read-only: nothing here writes anywhere.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  imageReference,
  parseImageMetadata,
  type ImageMetadata
} from '../../core/imageMetadata';
import { ENV_RECORD_FILE } from '../../core/envRecord';
import {
  IMAGE_JSON_FILE,
  IMAGE_KERNEL_NAMES,
  pythonMinor,
  type PythonMinor
} from '../../core/kernelspec';
import { normalizeAbsolute } from '../../core/validate';
import { userPathProblem } from '../../core/problemText';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { errnoCode } from '../fs/errors';
import { resolves } from '../fs/probes';
import { readRegularFile } from '../fs/regularFile';
import { MAX_IMAGE_JSON_BYTES } from '../../core/imageMetadata';

/** What `create` learns about the base, gathered with as few calls as possible. */
export interface IBaseFacts {
  /** The base as the user gave it (absolute, normalised; symlinks kept: CVMFS paths are stable names). */
  prefix: string;
  /** With symlinks resolved, to tell whether a target lies inside it. */
  physical: string;
  python: PythonMinor;
  /** `X.Y.Z`, for pyvenv.cfg. */
  pythonVersion: string;
  /** Whether the base's Python has pip (then the env gets pip scripts of its own). */
  hasPip: boolean;
  /** The image's metadata, when the base carries `image.json` beside its kernel. */
  image: ImageMetadata | null;
  /** The base's top level, bin/ and lib/, read once and reused by the mirror. */
  top: fs.Dirent[];
  bin: fs.Dirent[];
  lib: fs.Dirent[];
  /** File names in the base's conda-meta/ (empty when it has none). */
  condaMeta: string[];
}

const BASE_HINT = "pass --base the image's Python prefix (e.g. /opt/conda)";

/**
 * The base to use: --base, else the prefix mlc is installed in (the image
 * env), else the active conda env; absolute and normalised.
 */
export function chooseBase(
  option: string | undefined,
  context: ICliContext
): string {
  const chosen = option ?? context.installPrefix ?? context.env.CONDA_PREFIX;
  if (!chosen) {
    throw new UserError(
      'no base env to extend: mlc is not installed in an image env and no conda env is active',
      BASE_HINT
    );
  }
  const problem = userPathProblem(chosen);
  if (problem) {
    throw new UserError(`invalid base path: ${problem}`, BASE_HINT);
  }
  return normalizeAbsolute(path.resolve(context.cwd, chosen));
}

/** Inspect `prefix`; a base that cannot carry an env is one clear UserError. */
export function inspectBase(prefix: string): IBaseFacts {
  const top = Private.readDir(prefix, `the base ${prefix}`);
  const names = new Set(top.map(entry => entry.name));
  if (names.has(ENV_RECORD_FILE)) {
    throw new UserError(
      `the base ${prefix} is itself an mlc extended env`,
      'pass --base the image prefix it extends (its baseEnv_dir)'
    );
  }
  if (names.has('pyvenv.cfg')) {
    throw new UserError(
      `the base ${prefix} is a Python virtual env`,
      'pass --base the prefix it was made from (the "home" in its pyvenv.cfg, without /bin)'
    );
  }
  const bin = names.has('bin')
    ? Private.readDir(`${prefix}/bin`, `${prefix}/bin`)
    : [];
  const lib = names.has('lib')
    ? Private.readDir(`${prefix}/lib`, `${prefix}/lib`)
    : [];
  const python = Private.pythonOf(prefix, bin, lib);
  const condaMeta = names.has('conda-meta')
    ? Private.readDir(`${prefix}/conda-meta`, `${prefix}/conda-meta`).map(
        entry => entry.name
      )
    : [];
  return {
    prefix,
    physical: fs.realpathSync(prefix),
    python,
    pythonVersion: Private.fullVersion(prefix, python, condaMeta),
    hasPip: resolves(
      `${prefix}/lib/python${python}/site-packages/pip/__init__.py`
    ),
    image: readBaseImage(prefix),
    top,
    bin,
    lib,
    condaMeta
  };
}

/** The image metadata beside the base's `python3` kernel, or null. */
export function readBaseImage(prefix: string): ImageMetadata | null {
  const read = readRegularFile(
    `${prefix}/share/jupyter/kernels/${IMAGE_KERNEL_NAMES.isolated}/${IMAGE_JSON_FILE}`,
    { maxBytes: MAX_IMAGE_JSON_BYTES }
  );
  if (!read.ok) {
    return null;
  }
  const parsed = parseImageMetadata(read.text);
  return parsed.ok ? parsed.value : null;
}

/** `name:tag` of the base image, empty when unknown. */
export function imageLabel(image: ImageMetadata | null): string {
  return image ? imageReference(image) : '';
}

/**
 * Split a conda-meta record's file name `name-version-build.json`: versions
 * and build strings contain no `-`, names may.
 */
export function condaRecordParts(
  file: string
): { name: string; version: string; build: string } | null {
  const match = /^(.+)-([^-]+)-([^-]+)\.json$/.exec(file);
  return match ? { name: match[1], version: match[2], build: match[3] } : null;
}

namespace Private {
  export function readDir(dir: string, what: string): fs.Dirent[] {
    try {
      return fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT') {
        throw new UserError(`${what} does not exist`, BASE_HINT);
      }
      if (code === 'ENOTDIR') {
        throw new UserError(`${what} is not a directory`, BASE_HINT);
      }
      if (code === 'EACCES' || code === 'EPERM') {
        throw new UserError(
          `${what} cannot be read (permission denied)`,
          BASE_HINT
        );
      }
      if (code === 'ELOOP') {
        throw new UserError(`${what} is a symbolic link loop`, BASE_HINT);
      }
      throw error;
    }
  }

  /**
   * The base's Python `X.Y`: a `bin/pythonX.Y` with a `lib/pythonX.Y`; when
   * there are several, the one `bin/python3` points to.
   */
  export function pythonOf(
    prefix: string,
    bin: fs.Dirent[],
    lib: fs.Dirent[]
  ): PythonMinor {
    const libDirs = new Set(
      lib.filter(entry => entry.isDirectory()).map(entry => entry.name)
    );
    const found = bin
      .map(entry => /^python(\d+\.\d+)$/.exec(entry.name)?.[1])
      .filter(
        (minor): minor is string =>
          minor !== undefined && libDirs.has(`python${minor}`)
      );
    if (found.length === 0) {
      throw new UserError(
        `no Python interpreter (bin/python3.X with lib/python3.X) in ${prefix}`,
        BASE_HINT
      );
    }
    let chosen = found[0];
    if (found.length > 1) {
      const target = readlinkOrNull(`${prefix}/bin/python3`);
      chosen =
        found.find(minor => target === `python${minor}`) ??
        found.sort().reverse()[0];
    }
    return pythonMinor(chosen) as PythonMinor;
  }

  function readlinkOrNull(file: string): string | null {
    try {
      return fs.readlinkSync(file);
    } catch {
      return null;
    }
  }

  /**
   * `X.Y.Z` without starting the interpreter: from the conda-meta record of
   * python, else from the headers; only then by asking the interpreter.
   */
  export function fullVersion(
    prefix: string,
    minor: PythonMinor,
    condaMeta: string[]
  ): string {
    for (const file of condaMeta) {
      if (file.startsWith('python-')) {
        const parts = condaRecordParts(file);
        if (parts?.name === 'python' && pythonMinor(parts.version) === minor) {
          return parts.version;
        }
      }
    }
    // The headers tell it; else ask the interpreter below.
    const header = readRegularFile(
      `${prefix}/include/python${minor}/patchlevel.h`,
      { maxBytes: 1 << 20 }
    );
    const fromHeader = header.ok
      ? /#define\s+PY_VERSION\s+"([^"]+)"/.exec(header.text)?.[1]
      : undefined;
    if (fromHeader && pythonMinor(fromHeader) === minor) {
      return fromHeader;
    }
    const result = spawnSync(
      `${prefix}/bin/python${minor}`,
      ['-I', '-c', 'import platform; print(platform.python_version())'],
      {
        encoding: 'utf-8',
        timeout: 30000
      }
    );
    const version = result.stdout?.trim() ?? '';
    if (result.status !== 0 || pythonMinor(version) !== minor) {
      throw new UserError(
        `the base's Python ${prefix}/bin/python${minor} does not run`,
        BASE_HINT,
        1
      );
    }
    return version;
  }
}
