/**
 * Filtering and sorting of the image's package list. Pure and fast: the
 * browser runs both on every keystroke over a few thousand packages.
 */
import type { ImagePackage } from '../../core/imageMetadata';

export type PackageColumn = 'name' | 'version' | 'source';
export type SortDirection = 'ascending' | 'descending';

export interface IPackageSort {
  column: PackageColumn;
  direction: SortDirection;
}

export const DEFAULT_SORT: IPackageSort = {
  column: 'name',
  direction: 'ascending'
};

/**
 * The packages matching every whitespace-separated term of `query`, each term
 * found (case-insensitively) in the name, the version or the source.
 */
export function filterPackages(
  packages: readonly ImagePackage[],
  query: string
): ImagePackage[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!terms.length) {
    return packages.slice();
  }
  return packages.filter(pkg => {
    const haystack = `${pkg.name}\n${pkg.version}\n${pkg.source}`.toLowerCase();
    return terms.every(term => haystack.includes(term));
  });
}

/**
 * A sorted copy. Names compare case-insensitively, versions numerically by
 * segment (`1.10` after `1.9`); ties fall back to the name, then the source,
 * so the order never depends on the input order.
 */
export function sortPackages(
  packages: readonly ImagePackage[],
  sort: IPackageSort
): ImagePackage[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  const primary = Private.comparators[sort.column];
  return packages
    .slice()
    .sort(
      (a, b) =>
        sign * primary(a, b) || Private.byName(a, b) || Private.bySource(a, b)
    );
}

/** The sort after clicking `column`'s header: same column flips, a new one starts ascending. */
export function nextSort(
  current: IPackageSort,
  column: PackageColumn
): IPackageSort {
  if (current.column === column) {
    return {
      column,
      direction: current.direction === 'ascending' ? 'descending' : 'ascending'
    };
  }
  return { column, direction: 'ascending' };
}

namespace Private {
  const collator = new Intl.Collator('en', {
    sensitivity: 'base',
    numeric: true
  });

  export function byName(a: ImagePackage, b: ImagePackage): number {
    return collator.compare(a.name, b.name);
  }

  export function bySource(a: ImagePackage, b: ImagePackage): number {
    return collator.compare(a.source, b.source);
  }

  export const comparators: Record<
    PackageColumn,
    (a: ImagePackage, b: ImagePackage) => number
  > = {
    name: byName,
    version: (a, b) => collator.compare(a.version, b.version),
    source: bySource
  };
}
