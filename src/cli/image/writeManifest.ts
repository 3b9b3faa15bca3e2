/**
 * `mlc image manifest`: gather the image's packages and facts, then write
 * `list-of-pkgs-inside.txt` and `image.json` into the out-dir, both or
 * neither. Every check that can fail runs before the first byte is written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { IMAGE_JSON_FILE } from '../../core/kernelspec';
import {
  imageReference,
  MAX_IMAGE_JSON_BYTES,
  parseImageMetadata,
  type ImageMetadata
} from '../../core/imageMetadata';
import {
  buildImageMetadata,
  formatImageJson,
  formatPackageList,
  isIsoDateTime,
  isoSeconds,
  mergePackages,
  PACKAGE_LIST_FILE
} from '../../core/packageManifest';
import { UserError } from '../errors';
import { errnoCode } from '../fs/errors';
import { writeFilesStaged as writeFilesAtomically } from '../fs/stagedWrite';
import { readPrefixPackages } from './prefixPackages';
import { readRegularFile } from '../fs/regularFile';
import { readSystem } from './systemPackages';

export type Flavour = 'cpu' | 'gpu';

/** 9999-12-31T23:59:59Z, the last second with a four-digit year. */
const MAX_EPOCH_SECONDS = 253402300799;

// The bound lives beside image.json's schema: env and kernels read the file without this module.
export { MAX_IMAGE_JSON_BYTES };

export interface IManifestOptions {
  /** The image env prefix, absolute. */
  prefix: string;
  /** Where the two files go, absolute. */
  outDir: string;
  /** The root whose OS and system packages are listed, absolute. */
  root: string;
  name?: string;
  tag?: string;
  os?: string;
  /** `cpu` or `gpu`; anything else is refused. */
  flavour?: string;
  dockerPath?: string;
  buildDate?: string;
}

/** What the command reports (the `data` of its `--json` result). */
export interface IManifestResult {
  listFile: string;
  imageJson: string;
  image: string;
  python: string;
  os: string;
  buildDate: string;
  packageCount: number;
  counts: { conda: number; pip: number; system: number };
  /** System package databases read (`dpkg`, `rpm`). */
  databases: string[];
  warnings: string[];
}

/**
 * Build and write the manifest. `env` supplies PATH for `rpm` and
 * SOURCE_DATE_EPOCH; `now` is the build date when neither it nor
 * --build-date is given.
 */
export async function writeManifest(
  options: IManifestOptions,
  env: NodeJS.ProcessEnv,
  now: Date
): Promise<IManifestResult> {
  const buildDate = Private.buildDate(options.buildDate, env, now);
  Private.checkText('--name', options.name, false);
  Private.checkText('--tag', options.tag, false);
  Private.checkText('--os', options.os, true);
  Private.checkText('--docker-path', options.dockerPath, false);
  Private.checkFlavour(options.flavour);
  Private.checkOutDir(options.outDir);
  const identity = Private.identity(options);

  const prefixPackages = await readPrefixPackages(options.prefix);
  const system = await readSystem(options.root, env);
  const packages = mergePackages({
    conda: prefixPackages.conda,
    pip: prefixPackages.pip,
    system: system.packages
  });
  const built = buildImageMetadata(
    {
      ...identity,
      os: options.os ?? system.os,
      python: prefixPackages.python,
      buildDate,
      prefix: options.prefix
    },
    packages
  );
  if (!built.ok) {
    throw new UserError(
      `the manifest does not satisfy the image.json schema (${built.error})`,
      'check the values passed',
      1
    );
  }

  try {
    writeFilesAtomically(options.outDir, [
      { name: PACKAGE_LIST_FILE, text: formatPackageList(packages) },
      { name: IMAGE_JSON_FILE, text: formatImageJson(built.value) }
    ]);
  } catch (error) {
    const reason = errnoCode(error) ?? (error as Error).message;
    throw new UserError(
      `cannot write into the out-dir ${options.outDir} (${reason})`,
      'choose a writable --out-dir with free space',
      1
    );
  }
  const count = (source: string) =>
    packages.filter(pkg => pkg.source === source).length;
  return {
    listFile: path.join(options.outDir, PACKAGE_LIST_FILE),
    imageJson: path.join(options.outDir, IMAGE_JSON_FILE),
    image: imageReference(built.value),
    python: built.value.python,
    os: built.value.os,
    buildDate,
    packageCount: packages.length,
    counts: {
      conda: count('conda'),
      pip: count('pip'),
      system: count('system')
    },
    databases: system.databases,
    warnings: [...prefixPackages.warnings, ...system.warnings]
  };
}

namespace Private {
  /** --build-date, else SOURCE_DATE_EPOCH (reproducible builds), else now. */
  export function buildDate(
    given: string | undefined,
    env: NodeJS.ProcessEnv,
    now: Date
  ): string {
    if (given !== undefined) {
      if (!isIsoDateTime(given)) {
        throw new UserError(
          `--build-date "${given}" is not an ISO 8601 date or date-time`,
          'use e.g. 2024-05-01 or 2024-05-01T12:30:00Z'
        );
      }
      return given;
    }
    const epoch = env.SOURCE_DATE_EPOCH;
    if (epoch !== undefined && epoch !== '') {
      // At most 9999-12-31T23:59:59Z: ISO 8601's four-digit years (and Date's range).
      if (!/^[0-9]{1,12}$/.test(epoch) || Number(epoch) > MAX_EPOCH_SECONDS) {
        throw new UserError(
          `SOURCE_DATE_EPOCH ${JSON.stringify(epoch.length > 40 ? `${epoch.slice(0, 40)}...` : epoch)} is not a number of seconds from 0 to ${MAX_EPOCH_SECONDS}`,
          'unset it or pass --build-date'
        );
      }
      return isoSeconds(new Date(Number(epoch) * 1000));
    }
    return isoSeconds(now);
  }

  /** Names and tags go on command lines and in `name:tag`: no blanks; nothing has control characters. */
  export function checkText(
    flag: string,
    value: string | undefined,
    blanksAllowed: boolean
  ): void {
    if (value === undefined) {
      return;
    }

    const bad = blanksAllowed ? /\p{Cc}/u : /[\s\p{Cc}]/u;
    if (flag === '--name' && value === '') {
      throw new UserError(
        '--name is empty',
        'pass the image name, e.g. --name ml-base'
      );
    }
    if (bad.test(value)) {
      const what = blanksAllowed
        ? 'a control character'
        : 'whitespace or a control character';
      throw new UserError(
        `${flag} ${JSON.stringify(value)} is not allowed: it contains ${what}`,
        `pass a plain ${flag.slice(2)}`
      );
    }
  }

  export function checkFlavour(
    flavour: string | undefined
  ): asserts flavour is Flavour | undefined {
    if (flavour !== undefined && flavour !== 'cpu' && flavour !== 'gpu') {
      throw new UserError(
        `--flavour ${JSON.stringify(flavour)} is neither cpu nor gpu`,
        'pass --flavour cpu or --flavour gpu'
      );
    }
  }

  /** The out-dir must exist, be a directory we can write, and not hold directories at our file names. */
  export function checkOutDir(outDir: string): void {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(outDir);
    } catch {
      throw new UserError(
        `the out-dir ${outDir} does not exist`,
        'create it first or pass another --out-dir'
      );
    }
    if (!stat.isDirectory()) {
      throw new UserError(
        `the out-dir ${outDir} is not a directory`,
        'pass a directory as --out-dir'
      );
    }
    try {
      fs.accessSync(outDir, fs.constants.W_OK | fs.constants.X_OK);
    } catch (error) {
      throw new UserError(
        `cannot write into the out-dir ${outDir} (${errnoCode(error) ?? 'denied'})`,
        'choose a writable --out-dir or run as a user who can write it'
      );
    }
    for (const name of [PACKAGE_LIST_FILE, IMAGE_JSON_FILE]) {
      const target = path.join(outDir, name);
      let existing: fs.Stats | null = null;
      try {
        existing = fs.lstatSync(target);
      } catch {
        existing = null;
      }
      if (existing && !existing.isFile() && !existing.isSymbolicLink()) {
        throw new UserError(
          `${target} exists and is not a file`,
          'remove it or pass another --out-dir'
        );
      }
    }
  }

  /**
   * Name, tag, flavour and docker path: from the flags; without --name, the
   * image named by an existing out-dir/image.json (a rebuild of the same
   * image), whose other identity fields then fill in the flags not given.
   */
  export function identity(
    options: IManifestOptions
  ): Pick<ImageMetadata, 'name' | 'tag' | 'flavour' | 'dockerPath'> {
    let previous: ImageMetadata | null = null;
    if (options.name === undefined) {
      const file = path.join(options.outDir, IMAGE_JSON_FILE);
      const read = readRegularFile(file, { maxBytes: MAX_IMAGE_JSON_BYTES });
      if (!read.ok) {
        throw new UserError(
          `--name is required: ${file} ${read.reason} to take it from`,
          'pass --name, e.g. --name ml-base'
        );
      }
      const parsed = parseImageMetadata(read.text);
      if (!parsed.ok) {
        throw new UserError(
          `${file} is not a valid image.json (${parsed.error}), so it cannot name the image`,
          'pass --name to replace it'
        );
      }
      previous = parsed.value;
    }
    const dockerPath = options.dockerPath ?? previous?.dockerPath;
    return {
      name: options.name ?? (previous as ImageMetadata).name,
      tag: options.tag ?? previous?.tag ?? '',
      flavour:
        (options.flavour as Flavour | undefined) ?? previous?.flavour ?? 'cpu',
      ...(dockerPath ? { dockerPath } : {})
    };
  }
}
