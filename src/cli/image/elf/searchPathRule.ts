/**
 * Which entries of an RPATH/RUNPATH an image keeps. The rule:
 *
 * - `$ORIGIN`-relative entries (and the loader's other tokens, `$LIB`,
 *   `$PLATFORM`) are kept: they follow the files wherever the image is.
 * - An absolute entry is dropped when it is one of the `drop` directories or
 *   lies below one: by default the image env prefix itself (`/opt/conda`,
 *   so `/opt/conda/lib`; on a host that has its own /opt/conda it would load
 *   the wrong libraries) and conda-forge's build location
 *   `/home/conda/feedstock_root`.
 * - An absolute entry with a path component that only conda-build's build
 *   and host envs have (`_build_env`, `_h_env...`, `conda-bld`,
 *   `build_artifacts`) is dropped wherever it lies.
 * - Empty entries are dropped (the loader may read one as the current
 *   directory). Every other entry (e.g. /usr/lib64) is kept as it is.
 *
 * Pure: strings in, strings out.
 */
import { isWithin, normalizeAbsolute } from '../../../core/validate';

/** The default `drop` directories besides the prefix itself. */
export const DEFAULT_BUILD_DIRS: readonly string[] = [
  '/home/conda/feedstock_root'
];

export interface ISearchPathRepair {
  /** The entries kept, joined by ':' (equal to the input when nothing is dropped). */
  kept: string;
  dropped: string[];
}

/** Apply the rule to a search path `value` (entries separated by ':'). */
export function repairSearchPath(
  value: string,
  dropDirs: readonly string[]
): ISearchPathRepair {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (const entry of value.split(':')) {
    (Private.isDropped(entry, dropDirs) ? dropped : kept).push(entry);
  }
  return { kept: kept.join(':'), dropped };
}

namespace Private {
  const BUILD_COMPONENT = /^(_build_env|_h_env.*|conda-bld|build_artifacts)$/;

  export function isDropped(
    entry: string,
    dropDirs: readonly string[]
  ): boolean {
    if (entry === '') {
      return true;
    }
    if (!entry.startsWith('/')) {
      return false;
    }
    // Lexically, as the loader does (it resolves no links either).
    const normal = normalizeAbsolute(entry);
    if (dropDirs.some(dir => isWithin(normal, normalizeAbsolute(dir)))) {
      return true;
    }
    return normal.split('/').some(part => BUILD_COMPONENT.test(part));
  }
}
