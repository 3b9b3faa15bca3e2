/**
 * After an env's own conda package that overrode an image package (one
 * installed with --allow-image-override) is removed, the env holds neither
 * version: the installer unlinked the image's copy when the override went
 * in. Bring the image's back as `env create` made it: its record copied
 * into the env's conda-meta and its files linked (the mirror, tolerant:
 * what the env holds stays as it is). Only the env is written.
 */
import { normalizeName } from '../../core/envLife';
import { inspectBase } from './base';
import { baseCondaRecords } from './condaRun';
import type { IEnvTarget } from './envChange';
import { copyCondaMeta, mirrorBase } from './mirror';
import { envPackages } from './revisions';

/** Restore the image's packages among `removed` that the env now lacks. */
export function restoreImagePackages(
  target: IEnvTarget,
  removed: readonly string[]
): void {
  const base = baseCondaRecords(target.record.basePrefix);
  const own = new Set(
    envPackages(target.envDir, target.record.python).conda.map(pin =>
      normalizeName(pin.name)
    )
  );
  if (
    !removed.some(name => {
      const key = normalizeName(name);
      return base.has(key) && !own.has(key);
    })
  ) {
    return;
  }
  const facts = inspectBase(target.record.basePrefix);
  const stats = { directories: 0, links: 0, records: 0 };
  mirrorBase(facts, target.envDir, stats, true);
  copyCondaMeta(facts, target.envDir, stats, true);
}
