/**
 * A windowed list of fixed-height rows: only the rows in view (and a few
 * either side) are in the DOM, so thousands of rows scroll smoothly.
 */
import * as React from 'react';

export interface IWindowedRowsProps {
  rowCount: number;
  /** Height of every row, in pixels (the CSS must agree). */
  rowHeight: number;
  /** Renders row `index`; it is placed and sized by the list. */
  renderRow: (index: number, style: React.CSSProperties) => React.ReactNode;
  /** Rows rendered beyond each edge of the view. */
  overscan?: number;
  className?: string;
  /** Used before the list is measured (and where there is no layout, as in jsdom). */
  initialHeight?: number;
  /** Changes to this value scroll the list back to the top (e.g. a new filter). */
  resetKey?: unknown;
  role?: string;
  ariaLabel?: string;
}

export function WindowedRows(props: IWindowedRowsProps): JSX.Element {
  const { rowCount, rowHeight, overscan = 8 } = props;
  const viewport = React.useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = React.useState(0);
  const [height, setHeight] = React.useState(props.initialHeight ?? 600);

  React.useLayoutEffect(() => {
    const node = viewport.current;
    if (!node || typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(() => {
      if (node.clientHeight) {
        setHeight(node.clientHeight);
      }
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  React.useLayoutEffect(() => {
    if (viewport.current) {
      viewport.current.scrollTop = 0;
    }
    setScrollTop(0);
  }, [props.resetKey]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(
    rowCount,
    Math.ceil((scrollTop + height) / rowHeight) + overscan
  );
  const rows: React.ReactNode[] = [];
  for (let index = first; index < last; index++) {
    rows.push(
      props.renderRow(index, {
        position: 'absolute',
        top: index * rowHeight,
        height: rowHeight,
        left: 0,
        right: 0
      })
    );
  }
  return (
    <div
      ref={viewport}
      className={props.className}
      role={props.role}
      aria-label={props.ariaLabel}
      style={{ overflowY: 'auto', position: 'relative' }}
      onScroll={event => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div style={{ position: 'relative', height: rowCount * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
