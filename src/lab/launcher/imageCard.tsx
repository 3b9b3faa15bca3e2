/**
 * The image card: what image this JupyterLab runs on, and a way into its
 * package list. A broken `image.json` costs one warning line, never the card.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import {
  imageJsonWarning,
  type ICardFacts,
  type ImageMetadataState
} from '../imageService/imageState';

export interface IImageCardProps {
  facts: ICardFacts;
  metadata: ImageMetadataState;
  showPackagesButton: boolean;
  trans: TranslationBundle;
  onShowPackages: () => void;
  packagesIcon?: React.ReactNode;
}

export function ImageCard(props: IImageCardProps): JSX.Element {
  const { facts, trans } = props;
  const rows: [string, string][] = [
    [trans.__('OS'), facts.os],
    [trans.__('Python'), facts.python],
    [trans.__('Built'), facts.buildDate],
    [trans.__('Prefix'), facts.prefix]
  ];
  const warning = imageJsonWarning(props.metadata, trans);
  const count = facts.packageCount;
  return (
    <div className="jp-MLC-card">
      <div className="jp-MLC-card-top">
        <div className="jp-MLC-card-identity">
          <span className="jp-MLC-card-reference" title={facts.reference}>
            {facts.reference || trans.__('Unnamed image')}
          </span>
          {facts.flavour ? (
            <span className={`jp-MLC-badge jp-MLC-badge-${facts.flavour}`}>
              {facts.flavour === 'gpu' ? trans.__('GPU') : trans.__('CPU')}
            </span>
          ) : null}
        </div>
        {props.showPackagesButton ? (
          <button
            type="button"
            className="jp-MLC-card-packages"
            onClick={props.onShowPackages}
            title={trans.__('Browse the packages of this image')}
          >
            {props.packagesIcon}
            <span>
              {count === null
                ? trans.__('Packages')
                : trans._n('%1 package', '%1 packages', count)}
            </span>
          </button>
        ) : count !== null ? (
          <span className="jp-MLC-card-count">
            {trans._n('%1 package', '%1 packages', count)}
          </span>
        ) : null}
      </div>
      <dl className="jp-MLC-card-facts">
        {rows
          .filter(([, value]) => value)
          .map(([term, value]) => (
            <div className="jp-MLC-card-fact" key={term}>
              <dt>{term}</dt>
              <dd title={value}>{value}</dd>
            </div>
          ))}
      </dl>
      {warning ? (
        <p className="jp-MLC-card-warning" role="status" title={warning}>
          {warning}
        </p>
      ) : null}
    </div>
  );
}
