/**
 * The package browser: the image's packages (name, version, source) with a
 * filter box and sortable columns, rendered as a windowed table.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import {
  imageReference,
  type ImageMetadata,
  type ImagePackage
} from '../../core/imageMetadata';
import {
  imageJsonWarning,
  type ImageMetadataState
} from '../imageService/imageState';
import {
  DEFAULT_SORT,
  filterPackages,
  nextSort,
  sortPackages,
  type IPackageSort,
  type PackageColumn
} from './packageModel';
import { WindowedRows } from './windowedRows';

/** Must match `--jp-mlc-package-row-height` in style/packages.css. */
export const PACKAGE_ROW_HEIGHT = 26;

export interface IPackageBrowserProps {
  metadata: ImageMetadataState;
  trans: TranslationBundle;
  /** Viewport height before measuring (tests without layout). */
  initialHeight?: number;
}

export function PackageBrowser(props: IPackageBrowserProps): JSX.Element {
  const { metadata, trans } = props;
  if (metadata.status === 'ready') {
    return (
      <PackageTable
        image={metadata.value}
        trans={trans}
        initialHeight={props.initialHeight}
      />
    );
  }
  let message: string;
  switch (metadata.status) {
    case 'absent':
      message = trans.__(
        'No kernel of an ML image is installed on this server, so there is no package list.'
      );
      break;
    case 'loading':
      message = trans.__('Loading the package list…');
      break;
    case 'error':
      message = imageJsonWarning(metadata, trans);
      break;
  }
  return (
    <div className="jp-MLC-packages">
      <p
        className={`jp-MLC-packages-message jp-MLC-packages-${metadata.status}`}
        role="status"
      >
        {message}
      </p>
    </div>
  );
}

function PackageTable(props: {
  image: ImageMetadata;
  trans: TranslationBundle;
  initialHeight?: number;
}): JSX.Element {
  const { image, trans } = props;
  const [query, setQuery] = React.useState('');
  const [sort, setSort] = React.useState<IPackageSort>(DEFAULT_SORT);
  // Sort once per sort change; filtering keeps that order as the query changes.
  const sorted = React.useMemo(
    () => sortPackages(image.packages, sort),
    [image.packages, sort]
  );
  const shown = React.useMemo(
    () => filterPackages(sorted, query),
    [sorted, query]
  );
  const columns: [PackageColumn, string][] = [
    ['name', trans.__('Name')],
    ['version', trans.__('Version')],
    ['source', trans.__('Source')]
  ];
  const total = image.packages.length;

  const renderRow = (
    index: number,
    style: React.CSSProperties
  ): React.ReactNode => {
    const pkg = shown[index];
    return (
      <div
        key={index}
        role="row"
        aria-rowindex={index + 2}
        className="jp-MLC-packages-row"
        style={style}
        title={Private.details(pkg)}
      >
        <div role="cell" className="jp-MLC-packages-cell jp-MLC-packages-name">
          {pkg.name}
        </div>
        <div
          role="cell"
          className="jp-MLC-packages-cell jp-MLC-packages-version"
        >
          {pkg.version}
        </div>
        <div
          role="cell"
          className="jp-MLC-packages-cell jp-MLC-packages-source"
        >
          <span className={`jp-MLC-source jp-MLC-source-${pkg.source}`}>
            {pkg.source}
          </span>
        </div>
      </div>
    );
  };

  return (
    <div className="jp-MLC-packages">
      <div className="jp-MLC-packages-toolbar">
        <div className="jp-MLC-packages-title">
          <span className="jp-MLC-packages-reference">
            {imageReference(image)}
          </span>
          <span className="jp-MLC-packages-count" role="status">
            {query.trim()
              ? trans.__('%1 of %2 packages', shown.length, total)
              : trans._n('%1 package', '%1 packages', total)}
          </span>
        </div>
        <input
          type="search"
          className="jp-MLC-packages-search"
          placeholder={trans.__('Filter by name, version or source')}
          aria-label={trans.__('Filter packages')}
          value={query}
          autoFocus
          spellCheck={false}
          onChange={event => setQuery(event.target.value)}
        />
      </div>
      <div
        className="jp-MLC-packages-table"
        role="table"
        aria-label={trans.__('Packages of %1', imageReference(image))}
        aria-rowcount={shown.length + 1}
      >
        <div role="rowgroup" className="jp-MLC-packages-head">
          <div role="row" aria-rowindex={1} className="jp-MLC-packages-row">
            {columns.map(([column, label]) => (
              <div
                key={column}
                role="columnheader"
                className={`jp-MLC-packages-cell jp-MLC-packages-${column}`}
                aria-sort={sort.column === column ? sort.direction : 'none'}
              >
                <button
                  type="button"
                  className="jp-MLC-packages-sort"
                  data-column={column}
                  title={trans.__('Sort by %1', label)}
                  onClick={() => setSort(current => nextSort(current, column))}
                >
                  {label}
                  <span className="jp-MLC-packages-arrow" aria-hidden="true">
                    {sort.column === column
                      ? sort.direction === 'ascending'
                        ? '▲'
                        : '▼'
                      : ''}
                  </span>
                </button>
              </div>
            ))}
          </div>
        </div>
        {shown.length ? (
          <WindowedRows
            className="jp-MLC-packages-body"
            role="rowgroup"
            rowCount={shown.length}
            rowHeight={PACKAGE_ROW_HEIGHT}
            renderRow={renderRow}
            resetKey={`${query}\n${sort.column}\n${sort.direction}`}
            initialHeight={props.initialHeight}
          />
        ) : (
          <p className="jp-MLC-packages-message" role="status">
            {trans.__('No package matches "%1".', query.trim())}
          </p>
        )}
      </div>
    </div>
  );
}

namespace Private {
  export function details(pkg: ImagePackage): string {
    const extra = [pkg.build, pkg.channel].filter(Boolean).join(', ');
    return `${pkg.name} ${pkg.version} (${pkg.source}${extra ? `: ${extra}` : ''})`;
  }
}
