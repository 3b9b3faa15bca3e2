/**
 * The base test image: the test prefix at /opt/conda on Debian, made by
 * scripts/make-container-image.sh in root's podman storage. The runner tests
 * build their own images FROM it.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { REPO } from './paths';
import { testImagePrefix } from './prefix';
import { PODMAN_GLOBAL } from './registry';

export const TEST_BASE_IMAGE = 'localhost/mlc-test-image:latest';

/** Run the image script (it makes the Debian base too on first use). */
export function makeTestBaseImage(timeoutMs = 900000): void {
  execFileSync(
    'bash',
    [
      path.join(REPO, 'scripts', 'make-container-image.sh'),
      testImagePrefix(),
      TEST_BASE_IMAGE
    ],
    { stdio: 'pipe', timeout: timeoutMs }
  );
}

/** Make the base test image unless podman has it already. */
export function ensureTestBaseImage(): void {
  if (
    spawnSync('podman', [...PODMAN_GLOBAL, 'image', 'exists', TEST_BASE_IMAGE])
      .status !== 0
  ) {
    makeTestBaseImage();
  }
}
