/**
 * Which `python3.X` the image prefix has: the kernel specs name it in argv
 * (`/usr/bin/env python3.X`), so it must be the one really in `<prefix>/bin`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pythonMinor, type PythonMinor } from '../../core/kernelspec';
import { UserError } from '../errors';
import { isExecutableFile } from '../fs/probes';

/**
 * The `X.Y` of the Python in `<prefix>/bin`: `requested` (from --python)
 * after checking that `bin/pythonX.Y` is there, else the only one found.
 */
export function imagePython(
  prefix: string,
  requested: string | undefined
): PythonMinor {
  const found = pythonsIn(path.join(prefix, 'bin'));
  const foundText = found.length ? `found: ${found.join(', ')}` : 'none found';
  if (requested !== undefined) {
    const minor = pythonMinor(requested);
    if (minor === null) {
      throw new UserError(
        `--python '${requested}' is not a version`,
        'pass X.Y, e.g. --python 3.11'
      );
    }
    if (!found.includes(minor)) {
      throw new UserError(
        `${path.join(prefix, 'bin', `python${minor}`)} is not an executable (${foundText})`,
        found.length
          ? `pass --python ${found[0]}`
          : "point --prefix at the image's Python env"
      );
    }
    return minor;
  }
  if (found.length === 0) {
    throw new UserError(
      `no python3.X interpreter in ${path.join(prefix, 'bin')}`,
      "point --prefix at the image's Python env (e.g. --prefix /opt/conda)"
    );
  }
  if (found.length > 1) {
    throw new UserError(
      `${path.join(prefix, 'bin')} has several Pythons (${found.join(', ')})`,
      `pass the image's one with --python, e.g. --python ${found[found.length - 1]}`
    );
  }
  return found[0];
}

/** The distinct `X.Y` of executable `pythonX.Y` files in `bin` (links followed), sorted. */
export function pythonsIn(bin: string): PythonMinor[] {
  let names: string[];
  try {
    names = fs.readdirSync(bin);
  } catch {
    return [];
  }
  const versions = new Set<PythonMinor>();
  for (const name of names) {
    const match = /^python(\d+\.\d+)$/.exec(name);
    if (match && isExecutableFile(path.join(bin, name))) {
      versions.add(match[1] as PythonMinor);
    }
  }
  return [...versions].sort(Private.byVersion);
}

namespace Private {
  export function byVersion(a: string, b: string): number {
    const [a1, a2] = a.split('.').map(Number);
    const [b1, b2] = b.split('.').map(Number);
    return a1 - b1 || a2 - b2;
  }
}
