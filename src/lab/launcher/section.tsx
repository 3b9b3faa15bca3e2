/**
 * The launcher section for the image: the image card, the image's two
 * kernels, the user's extended envs, and a note on other kernels that run an
 * interpreter this image does not have.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { ImageCard } from './imageCard';
import { cardFacts, type ImageMetadataState } from '../imageService/imageState';
import type {
  IKernelCatalog,
  IOtherKernel
} from '../imageService/kernelCatalog';
import { KernelTile, type LaunchKind } from './kernelTile';

export interface ISectionIcons {
  notebook?: React.ReactNode;
  console?: React.ReactNode;
  packages?: React.ReactNode;
}

export interface ILauncherSectionProps {
  catalog: IKernelCatalog;
  metadata: ImageMetadataState;
  title: string;
  showPackagesButton: boolean;
  trans: TranslationBundle;
  onOpen: (kernelName: string, kind: LaunchKind) => void;
  onShowPackages: () => void;
  /** Starts creating an extended env; without it the hint names the palette entry. */
  onCreateEnv?: () => void;
  /** The tile buttons to show; both by default. */
  kinds?: readonly LaunchKind[];
  icons?: ISectionIcons;
}

/** Renders nothing when the server has neither image kernels nor env kernels. */
export function LauncherSection(
  props: ILauncherSectionProps
): JSX.Element | null {
  const { catalog, trans, icons = {} } = props;
  if (!catalog.imageKernels.length && !catalog.envKernels.length) {
    return null;
  }
  const facts = cardFacts(catalog.facts, props.metadata);
  const tileProps = {
    trans,
    onOpen: props.onOpen,
    kinds: props.kinds,
    notebookIcon: icons.notebook,
    consoleIcon: icons.console
  };
  return (
    <section className="jp-MLC-section" aria-label={props.title}>
      <div className="jp-MLC-sectionHeader">
        <h2 className="jp-MLC-sectionTitle">{props.title}</h2>
      </div>
      {facts ? (
        <ImageCard
          facts={facts}
          metadata={props.metadata}
          showPackagesButton={props.showPackagesButton}
          trans={trans}
          onShowPackages={props.onShowPackages}
          packagesIcon={icons.packages}
        />
      ) : (
        <p className="jp-MLC-noImage">
          {trans.__(
            'No kernel of an ML image is installed on this server; only your extended envs are shown.'
          )}
        </p>
      )}
      <div className="jp-MLC-groups">
        {catalog.imageKernels.length ? (
          <div className="jp-MLC-group">
            <h3 className="jp-MLC-subTitle">
              {trans.__('Kernels of the image')}
            </h3>
            <div
              className="jp-MLC-tiles"
              role="list"
              aria-label={trans.__('Kernels of the image')}
            >
              {catalog.imageKernels.map(kernel => (
                <KernelTile
                  key={kernel.name}
                  kernelName={kernel.name}
                  label={kernel.displayName}
                  description={
                    kernel.role === 'isolated'
                      ? trans.__('Isolated from ~/.local packages')
                      : trans.__('Includes ~/.local packages')
                  }
                  logoUrl={kernel.logoUrl}
                  {...tileProps}
                />
              ))}
            </div>
          </div>
        ) : null}
        <div className="jp-MLC-group">
          <h3 className="jp-MLC-subTitle">{trans.__('Your extended envs')}</h3>
          {catalog.envKernels.length ? (
            <div
              className="jp-MLC-tiles"
              role="list"
              aria-label={trans.__('Your extended envs')}
            >
              {catalog.envKernels.map(env => (
                <KernelTile
                  key={env.name}
                  className="jp-MLC-envTile"
                  kernelName={env.name}
                  label={env.envName}
                  description={env.envPrefix || env.displayName}
                  descriptionIsPath={!!env.envPrefix}
                  note={
                    env.onOtherBase
                      ? trans.__('Built on another image')
                      : undefined
                  }
                  logoUrl={env.logoUrl}
                  {...tileProps}
                />
              ))}
            </div>
          ) : (
            <div className="jp-MLC-hint">
              <p>
                {trans.__(
                  'None yet. An extended env adds your packages on top of the image, with a kernel of its own.'
                )}
              </p>
              {props.onCreateEnv ? (
                <button
                  type="button"
                  className="jp-MLC-tile-action jp-MLC-createEnv"
                  onClick={props.onCreateEnv}
                >
                  {trans.__('Create Extended Environment…')}
                </button>
              ) : (
                <p>
                  {trans.__(
                    'Run "Create Extended Environment" from the command palette.'
                  )}
                </p>
              )}
            </div>
          )}
        </div>
      </div>
      <OtherKernelsNote kernels={catalog.otherKernels} trans={trans} />
    </section>
  );
}

/** The other kernels whose interpreter the image does not have, on one wrapping line. */
function OtherKernelsNote(props: {
  kernels: IOtherKernel[];
  trans: TranslationBundle;
}): JSX.Element | null {
  const foreign = props.kernels.filter(kernel => kernel.verdict === 'foreign');
  if (!foreign.length) {
    return null;
  }
  const { trans } = props;
  return (
    <p
      className="jp-MLC-others"
      role="note"
      title={trans.__(
        "These kernels stay in the launcher's Notebook and Console sections, but they do not run this image's Python: its packages may be missing there."
      )}
    >
      <span className="jp-MLC-others-label">
        {trans._n(
          '%1 other kernel runs an interpreter this image does not have:',
          '%1 other kernels run interpreters this image does not have:',
          foreign.length
        )}
      </span>
      {foreign.map(kernel => (
        <span
          className="jp-MLC-others-kernel"
          key={kernel.name}
          data-kernel-name={kernel.name}
        >
          {kernel.displayName} <code>{kernel.interpreter}</code>
        </span>
      ))}
    </p>
  );
}
