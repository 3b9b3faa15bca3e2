/**
 * Filtering and sorting the package list the way the browser does, on a list
 * the size of a real ML image (2,000 packages from three sources).
 */
import type { ImagePackage } from '../../src/core/imageMetadata';
import {
  DEFAULT_SORT,
  filterPackages,
  nextSort,
  sortPackages
} from '../../src/lab/packageBrowser/packageModel';

const SOURCES = ['conda', 'pip', 'system'] as const;

/** 2,000 packages in a scrambled, reproducible order, with a few known ones. */
function imagePackages(): ImagePackage[] {
  const packages: ImagePackage[] = [];
  for (let i = 0; i < 1996; i++) {
    const scrambled = (i * 7919) % 1996;
    packages.push({
      name: `pkg-${String(scrambled).padStart(4, '0')}`,
      version: `${scrambled % 5}.${scrambled % 13}.${scrambled % 3}`,
      source: SOURCES[scrambled % 3]
    });
  }
  packages.push(
    { name: 'NumPy', version: '1.26.4', source: 'conda' },
    { name: 'numpy-financial', version: '1.0.0', source: 'pip' },
    { name: 'libnumpy-dev', version: '1:1.24.2-1', source: 'system' },
    { name: 'scipy', version: '1.10.0', source: 'conda' }
  );
  return packages;
}

describe('filterPackages', () => {
  const packages = imagePackages();

  it('matches a term anywhere in name, version or source, ignoring case', () => {
    expect(filterPackages(packages, 'numpy').map(pkg => pkg.name)).toEqual([
      'NumPy',
      'numpy-financial',
      'libnumpy-dev'
    ]);
    expect(filterPackages(packages, 'NUMPY').length).toBe(3);
    expect(filterPackages(packages, '1.26.4').map(pkg => pkg.name)).toEqual([
      'NumPy'
    ]);
  });

  it('needs every term to match, and keeps the order it was given', () => {
    expect(filterPackages(packages, 'numpy  pip').map(pkg => pkg.name)).toEqual(
      ['numpy-financial']
    );
    const sorted = sortPackages(packages, {
      column: 'version',
      direction: 'descending'
    });
    const conda = filterPackages(sorted, ' conda ');
    expect(conda.every(pkg => pkg.source === 'conda')).toBe(true);
    expect(conda).toEqual(sorted.filter(pkg => pkg.source === 'conda'));
    expect(conda.length).toBe(
      packages.filter(pkg => pkg.source === 'conda').length
    );
  });

  it('gives everything for an empty query and nothing for an absent term', () => {
    expect(filterPackages(packages, '   ')).toEqual(packages);
    expect(filterPackages(packages, 'tensorflow')).toEqual([]);
  });
});

describe('sortPackages', () => {
  const packages = imagePackages();

  it('sorts 2,000 names case-insensitively, and flips on descending', () => {
    const before = packages.map(pkg => pkg.name);
    const ascending = sortPackages(packages, DEFAULT_SORT);
    expect(ascending).toHaveLength(2000);
    expect(ascending.slice(0, 3).map(pkg => pkg.name)).toEqual([
      'libnumpy-dev',
      'NumPy',
      'numpy-financial'
    ]);
    expect(ascending.slice(-2).map(pkg => pkg.name)).toEqual([
      'pkg-1995',
      'scipy'
    ]);
    const descending = sortPackages(packages, {
      column: 'name',
      direction: 'descending'
    });
    expect(descending.map(pkg => pkg.name)).toEqual(
      ascending.map(pkg => pkg.name).reverse()
    );
    // The input is left as it was.
    expect(packages.map(pkg => pkg.name)).toEqual(before);
  });

  it('compares versions segment by segment, numerically', () => {
    const versions = [
      { name: 'a', version: '1.10.0', source: 'pip' },
      { name: 'b', version: '1.9.3', source: 'pip' },
      { name: 'c', version: '1.9.10', source: 'pip' },
      { name: 'd', version: '0.99', source: 'pip' }
    ] as ImagePackage[];
    expect(
      sortPackages(versions, { column: 'version', direction: 'ascending' }).map(
        pkg => pkg.version
      )
    ).toEqual(['0.99', '1.9.3', '1.9.10', '1.10.0']);
  });

  it('groups by source with names in order inside each group', () => {
    const bySource = sortPackages(packages, {
      column: 'source',
      direction: 'ascending'
    });
    const sources = bySource.map(pkg => pkg.source);
    expect(sources.indexOf('pip')).toBe(sources.lastIndexOf('conda') + 1);
    expect(sources.indexOf('system')).toBe(sources.lastIndexOf('pip') + 1);
    const conda = bySource
      .filter(pkg => pkg.source === 'conda')
      .map(pkg => pkg.name);
    expect(conda).toEqual(
      sortPackages(
        conda.map(name => ({ name, version: '', source: 'conda' })),
        DEFAULT_SORT
      ).map(pkg => pkg.name)
    );
    // Descending flips the groups; names stay ascending inside a group (the tie-break).
    const reversed = sortPackages(packages, {
      column: 'source',
      direction: 'descending'
    });
    expect(reversed[0].source).toBe('system');
    expect(
      reversed.filter(pkg => pkg.source === 'conda').map(pkg => pkg.name)
    ).toEqual(conda);
  });
});

describe('nextSort', () => {
  it('flips the same column and starts a new one ascending', () => {
    expect(nextSort(DEFAULT_SORT, 'name')).toEqual({
      column: 'name',
      direction: 'descending'
    });
    expect(
      nextSort({ column: 'name', direction: 'descending' }, 'name')
    ).toEqual(DEFAULT_SORT);
    expect(
      nextSort({ column: 'name', direction: 'descending' }, 'version')
    ).toEqual({
      column: 'version',
      direction: 'ascending'
    });
  });
});
