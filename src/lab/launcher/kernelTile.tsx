/**
 * One kernel of the launcher section: its logo, its name, one line saying
 * what it is, and a Notebook and a Console button.
 *
 * Everything shown comes from kernel specs and is rendered as React text.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

/** What a tile opens. */
export type LaunchKind = 'notebook' | 'console';

export interface IKernelTileProps {
  kernelName: string;
  label: string;
  description: string;
  /** The description is a path: it may break after each `/`. */
  descriptionIsPath?: boolean;
  /** A second, quieter line (e.g. a warning about the env's base). */
  note?: string;
  logoUrl: string;
  trans: TranslationBundle;
  onOpen: (kernelName: string, kind: LaunchKind) => void;
  notebookIcon?: React.ReactNode;
  consoleIcon?: React.ReactNode;
  /** The buttons to show (a JupyterLab without consoles has no Console). */
  kinds?: readonly LaunchKind[];
  /** Extra class, e.g. to tell env tiles from image tiles. */
  className?: string;
  /** A notice on the tile (e.g. the image under an env was updated), as a button. */
  badge?: ITileBadge;
  /** Opens the tile's menu below `anchor` (the menu button); no button without it. */
  onMenu?: (anchor: HTMLElement) => void;
}

export interface ITileBadge {
  text: string;
  /** The longer explanation (tooltip and accessible description). */
  title: string;
  onClick?: () => void;
}

const BOTH_KINDS: readonly LaunchKind[] = ['notebook', 'console'];

export function KernelTile(props: IKernelTileProps): JSX.Element {
  const { kernelName, label, description, note, logoUrl, trans, onOpen } =
    props;
  const kinds = props.kinds ?? BOTH_KINDS;
  const buttons: Record<
    LaunchKind,
    { text: string; title: string; icon: React.ReactNode }
  > = {
    notebook: {
      text: trans.__('Notebook'),
      title: trans.__('Open a new notebook with %1', label),
      icon: props.notebookIcon
    },
    console: {
      text: trans.__('Console'),
      title: trans.__('Open a new console with %1', label),
      icon: props.consoleIcon
    }
  };
  return (
    <div
      className={`jp-MLC-tile${props.className ? ` ${props.className}` : ''}`}
      role="listitem"
      data-kernel-name={kernelName}
      aria-label={label}
    >
      <div className="jp-MLC-tile-head">
        {logoUrl ? (
          <img className="jp-MLC-tile-logo" src={logoUrl} alt="" />
        ) : (
          <div className="jp-MLC-tile-letter" aria-hidden="true">
            {(label[0] ?? '?').toUpperCase()}
          </div>
        )}
        <div className="jp-MLC-tile-text">
          <div className="jp-MLC-tile-name" title={label}>
            {label}
          </div>
          <div className="jp-MLC-tile-description" title={description}>
            {props.descriptionIsPath
              ? Private.breakAfterSlashes(description)
              : description}
          </div>
          {note ? (
            <div className="jp-MLC-tile-note" title={note}>
              {note}
            </div>
          ) : null}
          {props.badge ? (
            <button
              type="button"
              className="jp-MLC-tile-badge"
              title={props.badge.title}
              aria-label={`${props.badge.text}: ${props.badge.title}`}
              onClick={props.badge.onClick}
              disabled={!props.badge.onClick}
            >
              {props.badge.text}
            </button>
          ) : null}
        </div>
        {props.onMenu ? (
          <button
            type="button"
            className="jp-MLC-tile-menuButton"
            aria-haspopup="menu"
            aria-label={trans.__('More actions for %1', label)}
            title={trans.__('More actions for %1', label)}
            onClick={event => props.onMenu?.(event.currentTarget)}
          >
            <span aria-hidden="true">⋯</span>
          </button>
        ) : null}
      </div>
      <div className="jp-MLC-tile-actions">
        {kinds.map(kind => (
          <button
            key={kind}
            type="button"
            className="jp-MLC-tile-action"
            data-kind={kind}
            title={buttons[kind].title}
            onClick={() => onOpen(kernelName, kind)}
          >
            {buttons[kind].icon}
            <span>{buttons[kind].text}</span>
          </button>
        ))}
      </div>
    </div>
  );
}

namespace Private {
  /** Text pieces with a line-break opportunity after every `/` (React text, no HTML). */
  export function breakAfterSlashes(path: string): React.ReactNode[] {
    return path
      .split(/(?<=\/)/)
      .flatMap((piece, index) =>
        index ? [<wbr key={index} />, piece] : [piece]
      );
  }
}
