/**
 * The hub tests' image, made once per machine and reused while its recipe
 * is unchanged: the hub prefix (scripts/hub/make-hub-prefix.sh: JupyterLab,
 * jupyterhub, batchspawner and this project's wheel), the podman image built
 * from it by scripts/make-container-image.sh (prefix at /opt/conda, mlc run
 * inside the build), that image in the hub user's rootless storage, and its
 * file system unpacked as a directory (what unpacked.cern.ch serves).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { runCommand } from '../../harness/mlc';
import { REPO } from '../../harness/paths';
import { asHubUser, hubUser } from './user';

export const HUB_BUILD = path.join(REPO, 'build', 'hub');
export const HUB_PREFIX = path.join(HUB_BUILD, 'image-prefix');
export const HUB_IMAGE = 'localhost/mlc-hub-image:latest';
/** Where the image's file system is unpacked (root-owned; mounted read-only by the tests). */
export const UNPACKED = path.join(HUB_BUILD, 'unpacked');

/** Podman's flags that work on these machines (shared/MACHINE-NOTES.md). */
export const PODMAN_FLAGS = ['--runtime', 'runc'];
export const RUN_LIMITS = [
  '--ulimit',
  'nofile=1024:1024',
  '--ulimit',
  'nproc=1024:1024'
];

/** The hub prefix, built now if missing or out of date. */
export function hubPrefix(): string {
  Private.run(
    'bash',
    [path.join(REPO, 'scripts', 'hub', 'make-hub-prefix.sh'), HUB_PREFIX],
    1800000
  );
  return HUB_PREFIX;
}

/** The image in root's podman storage, rebuilt when the prefix or the image script changed. Returns its id. */
export function hubImage(): string {
  hubPrefix();
  const script = path.join(REPO, 'scripts', 'make-container-image.sh');
  const stamp = [
    fs.readFileSync(`${HUB_PREFIX}.ready`, 'utf-8').trim(),
    createHash('sha256').update(fs.readFileSync(script)).digest('hex')
  ].join(' ');
  const stampFile = path.join(HUB_BUILD, 'image.stamp');
  const exists =
    runCommand('podman', [...PODMAN_FLAGS, 'image', 'exists', HUB_IMAGE])
      .code === 0;
  if (!exists || Private.read(stampFile) !== stamp) {
    Private.run('bash', [script, HUB_PREFIX, HUB_IMAGE], 1200000);
    fs.writeFileSync(stampFile, stamp);
  }
  return Private.imageId(['podman', ...PODMAN_FLAGS]);
}

/** The image in the hub user's rootless storage (podman save | podman load). */
export function hubImageForUser(): string {
  const id = hubImage();
  hubUser();
  const theirs = Private.imageIdAsUser();
  if (theirs !== id) {
    const moved = runCommand(
      'bash',
      [
        '-c',
        'podman --runtime runc save "$1" | runuser -u "$2" -- podman --runtime runc load -q',
        'save',
        HUB_IMAGE,
        hubUser().name
      ],
      { cwd: '/', timeoutMs: 900000 }
    );
    if (moved.code !== 0 || Private.imageIdAsUser() !== id) {
      throw new Error(
        `could not load ${HUB_IMAGE} into ${hubUser().name}'s podman storage: ${moved.stderr.trim()}`
      );
    }
    // The image the tag pointed at before: the hub user's, unused by anything else.
    asHubUser('podman', ['image', 'prune', '-f'], { timeoutMs: 120000 });
  }
  return id;
}

/**
 * The image's file system as a root-owned directory tree (without the
 * device nodes podman puts in /dev: unpacked.cern.ch has none either);
 * returns the tree's root.
 */
export function unpackedImage(): string {
  const id = hubImage();
  const tree = path.join(UNPACKED, id.slice(0, 12));
  if (fs.existsSync(path.join(tree, '.unpacked'))) {
    return tree;
  }
  fs.rmSync(UNPACKED, { recursive: true, force: true });
  fs.mkdirSync(tree, { recursive: true });
  const unpacked = runCommand(
    'bash',
    [
      '-c',
      'set -eo pipefail; c=$(podman --runtime runc create "$1" true); trap "podman rm -f $c >/dev/null" EXIT; podman export "$c" | tar -x -C "$2" --no-same-owner --exclude="./dev/*" --exclude="dev/*"',
      'unpack',
      HUB_IMAGE,
      tree
    ],
    { timeoutMs: 600000 }
  );
  if (unpacked.code !== 0) {
    throw new Error(`could not unpack ${HUB_IMAGE}: ${unpacked.stderr.trim()}`);
  }
  fs.chmodSync(tree, 0o755);
  fs.writeFileSync(path.join(tree, '.unpacked'), id);
  return tree;
}

namespace Private {
  export function run(file: string, args: string[], timeoutMs: number): void {
    const result = runCommand(file, args, { timeoutMs, cwd: REPO });
    if (result.code !== 0) {
      throw new Error(
        `${path.basename(args[0] ?? file)} failed: ${(result.stderr || result.stdout).trim()}`
      );
    }
  }

  export function read(file: string): string {
    try {
      return fs.readFileSync(file, 'utf-8').trim();
    } catch {
      return '';
    }
  }

  export function imageId(podman: string[]): string {
    const inspected = runCommand(podman[0], [
      ...podman.slice(1),
      'image',
      'inspect',
      '--format',
      '{{.Id}}',
      HUB_IMAGE
    ]);
    return inspected.code === 0 ? inspected.stdout.trim() : '';
  }

  export function imageIdAsUser(): string {
    const inspected = asHubUser('podman', [
      ...PODMAN_FLAGS,
      'image',
      'inspect',
      '--format',
      '{{.Id}}',
      HUB_IMAGE
    ]);
    return inspected.code === 0 ? inspected.stdout.trim() : '';
  }
}
