/**
 * `mlc kernels install`: the image's two kernel specs (with logos and
 * image.json) and the JUPYTER_PATH settings for every way into the image.
 *
 * Everything is checked before anything is written, and everything is
 * written through StagedWrite (../fs/stagedWrite.ts), so bad input or a
 * failure leaves the prefix as it was, a kernel being replaced is never
 * missing, nothing is written through a link below the prefix, and a second
 * run gives the same bytes (no timestamps).
 */
import * as path from 'path';
import {
  imageReference,
  parseImageMetadata,
  type ImageMetadata
} from '../../core/imageMetadata';
import {
  IMAGE_JSON_FILE,
  imageKernelSpecs,
  pythonMinor,
  type PythonMinor
} from '../../core/kernelspec';
import { UserError } from '../errors';
import {
  APPTAINER_ENV_FILE,
  apptainerEnvScript,
  entryPointFiles,
  jupyterPathOf
} from './entryPoints';
import { existingDirectory, refuseColon } from './prefixArg';
import { imagePython } from './pythonVersion';
import { StagedWrite, type FileContent } from '../fs/stagedWrite';
import { isRealDirectory } from '../fs/probes';
import { readRegularFile } from '../fs/regularFile';
import { MAX_IMAGE_JSON_BYTES } from '../../core/imageMetadata';

export interface IInstallOptions {
  prefix: string;
  python?: string;
  image?: string;
  apptainerEnvDir?: string;
}

/** What was written, for the report (`--json` data). */
export interface IInstallResult {
  prefix: string;
  python: PythonMinor;
  jupyterPath: string;
  /** `name:tag` from --image, or null when no image.json was given. */
  image: string | null;
  kernels: Array<{
    name: string;
    displayName: string;
    resourceDir: string;
    files: string[];
  }>;
  files: Array<{ path: string; purpose: string }>;
}

/** Where kernel specs go below a prefix. */
export function kernelsDirOf(prefix: string): string {
  return path.join(jupyterPathOf(prefix), 'kernels');
}

export function installKernels(
  options: IInstallOptions,
  cwd: string,
  logos: ReadonlyArray<readonly [string, FileContent]>
): IInstallResult {
  const prefix = existingDirectory(
    '--prefix',
    options.prefix,
    cwd,
    "pass the image's Python env prefix, e.g. --prefix /opt/conda"
  );
  refuseColon('--prefix', prefix);
  const python = imagePython(prefix, options.python);
  const image =
    options.image === undefined
      ? undefined
      : Private.readImage(options.image, cwd, python);
  const apptainerDir =
    options.apptainerEnvDir === undefined
      ? undefined
      : existingDirectory(
          '--apptainer-env-dir',
          options.apptainerEnvDir,
          cwd,
          'pass the existing Apptainer env directory, e.g. /.singularity.d/env'
        );

  // The plan: two spec directories and the entry-point files.
  const specs = imageKernelSpecs({ prefix, python, image });
  const kernelsDir = kernelsDirOf(prefix);
  const specDirs = Object.entries(specs).map(([name, spec]) => {
    const content: Array<readonly [string, FileContent]> = [
      ['kernel.json', JSON.stringify(spec, null, 1) + '\n'],
      ...logos
    ];
    if (image) {
      content.push([IMAGE_JSON_FILE, JSON.stringify(image, null, 2) + '\n']);
    }
    return {
      name,
      displayName: spec.display_name,
      resourceDir: path.join(kernelsDir, name),
      content
    };
  });
  const files = entryPointFiles(prefix).map(entry => ({
    root: prefix,
    path: path.join(prefix, entry.path),
    purpose: entry.purpose,
    content: entry.content
  }));
  if (apptainerDir !== undefined) {
    files.push({
      root: apptainerDir,
      path: path.join(apptainerDir, APPTAINER_ENV_FILE),
      purpose: 'Apptainer/Singularity environment (--apptainer-env-dir)',
      content: apptainerEnvScript(prefix)
    });
  }

  // Refuse what would fail before writing anything, then stage and commit.
  files.forEach(file => Private.refuseDirectory(file.path));
  StagedWrite.check([
    ...specDirs.map(spec => ({ root: prefix, target: spec.resourceDir })),
    ...files.map(file => ({ root: file.root, target: file.path }))
  ]);
  const writer = new StagedWrite();
  try {
    specDirs.forEach(spec =>
      writer.stageDirectory(prefix, spec.resourceDir, spec.content)
    );
    files.forEach(file => writer.stageFile(file.root, file.path, file.content));
    writer.commit();
  } catch (error) {
    writer.abort();
    throw error;
  }
  return {
    prefix,
    python,
    jupyterPath: jupyterPathOf(prefix),
    image: image ? imageReference(image) : null,
    kernels: specDirs.map(({ name, displayName, resourceDir, content }) => ({
      name,
      displayName,
      resourceDir,
      files: content.map(([file]) => file)
    })),
    files: files.map(({ path: file, purpose }) => ({ path: file, purpose }))
  };
}

namespace Private {
  /** Read and validate --image: a malformed file stops the install before any write. */
  export function readImage(
    file: string,
    cwd: string,
    python: PythonMinor
  ): ImageMetadata {
    const where = path.resolve(cwd, file);
    const read = readRegularFile(where, { maxBytes: MAX_IMAGE_JSON_BYTES });
    if (!read.ok) {
      throw new UserError(
        `cannot read --image ${where} (${read.missing ? 'no such file' : read.reason})`,
        "pass the image.json written by 'mlc image manifest'"
      );
    }
    const parsed = parseImageMetadata(read.text);
    if (!parsed.ok) {
      throw new UserError(
        `--image ${where} is not a valid image.json: ${parsed.error}`,
        "regenerate it with 'mlc image manifest'"
      );
    }
    const imagePython = pythonMinor(parsed.value.python);
    if (imagePython !== null && imagePython !== python) {
      throw new UserError(
        `--image ${where} is for Python ${parsed.value.python}, but the prefix has Python ${python}`,
        "pass this prefix's image.json"
      );
    }
    return parsed.value;
  }

  /** A directory where a file goes is the user's to sort out, not ours to remove. */
  export function refuseDirectory(target: string): void {
    if (isRealDirectory(target)) {
      throw new UserError(
        `${target} is a directory`,
        'move it away and run mlc kernels install again'
      );
    }
  }
}
