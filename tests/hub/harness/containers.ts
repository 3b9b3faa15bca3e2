/** The hub user's containers of the hub image, ended after a test (they are the test's own). */
import { HUB_IMAGE } from './images';
import { asHubUser } from './user';

/** Force-remove every container of the hub user made from the hub image. */
export function removeUserContainers(): void {
  const listed = asHubUser('podman', [
    'ps',
    '-a',
    '-q',
    '--filter',
    `ancestor=${HUB_IMAGE}`
  ]);
  const ids = listed.stdout
    .split('\n')
    .filter(id => /^[0-9a-f]{12,64}$/.test(id));
  if (ids.length > 0) {
    asHubUser('podman', ['rm', '-f', '-t', '5', ...ids], { timeoutMs: 60000 });
  }
}
