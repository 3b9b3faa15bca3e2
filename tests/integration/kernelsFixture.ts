/**
 * Shared set-up of the `mlc kernels` integration tests: a writable copy of
 * the shared test prefix (a real relocatable CPython with ipykernel and a
 * conda-meta/), a valid image.json for it, and a snapshot of a tree to prove
 * that a refused command changed nothing.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ImageMetadata } from '../../src/core/imageMetadata';

/** A valid image.json for a prefix with Python `python`. */
export function imageJsonFor(prefix: string, python: string): ImageMetadata {
  return {
    schemaVersion: 1,
    name: 'ml-base',
    tag: `test-python${python.replace('.', '')}`,
    os: 'Debian GNU/Linux 12',
    python: `${python}.0`,
    flavour: 'cpu',
    buildDate: '2024-01-02T03:04:05Z',
    prefix,
    packages: [
      {
        name: 'python',
        version: `${python}.0`,
        source: 'conda',
        build: 'hab00c5b_1_cpython'
      },
      { name: 'ipykernel', version: '6.29.0', source: 'conda' },
      { name: 'bash', version: '5.2', source: 'system' }
    ]
  };
}

/**
 * Every path below `root` with its type, mode, owner, size, mtime and link
 * target: any write, creation, removal or rename shows up as a difference.
 */
export function treeSnapshot(root: string): string[] {
  const lines: string[] = [];
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      const stat = fs.lstatSync(file);
      const kind = stat.isSymbolicLink()
        ? `-> ${fs.readlinkSync(file)}`
        : stat.isDirectory()
          ? 'dir'
          : 'file';
      lines.push(
        `${path.relative(root, file)} ${kind} ${stat.mode.toString(8)} ${stat.uid} ${stat.size} ${stat.mtimeMs}`
      );
      if (stat.isDirectory() && !stat.isSymbolicLink()) {
        walk(file);
      }
    }
  };
  const top = fs.lstatSync(root);
  lines.push(`. ${top.mode.toString(8)} ${top.uid} ${top.mtimeMs}`);
  walk(root);
  return lines;
}

/** The files of a directory with their bytes, for comparing two runs. */
export function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    out[name] = fs.readFileSync(path.join(dir, name)).toString('base64');
  }
  return out;
}
