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
import { BASE_UPDATED } from '../../core/envLife';
import { imageChangeLines } from '../imageChangeWords';
import type { IEnvSummary } from '../../core/envRecord';
import { KernelTile, type ITileBadge, type LaunchKind } from './kernelTile';

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
  /** What mlc reported about each env, by prefix (update badges). */
  envReports?: ReadonlyMap<string, IEnvSummary>;
  /** Opens an env tile's menu below `anchor`; without it env tiles have no menu. */
  onEnvMenu?: (prefix: string, anchor: HTMLElement) => void;
  /** The update badge's action (rebase the env at `prefix`). */
  onImageUpdate?: (prefix: string) => void;
  /** Opens the env check (offered with kernels hidden for envs that are gone). */
  onCheckEnvs?: () => void;
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
                  badge={Private.updateBadge(
                    env.envPrefix,
                    props.envReports,
                    trans,
                    props.onImageUpdate
                  )}
                  onMenu={
                    props.onEnvMenu && env.envPrefix
                      ? anchor => props.onEnvMenu?.(env.envPrefix, anchor)
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
          <DanglingNote
            count={catalog.danglingKernels.length}
            trans={trans}
            onCheckEnvs={props.onCheckEnvs}
          />
        </div>
      </div>
      <OtherKernelsNote kernels={catalog.otherKernels} trans={trans} />
    </section>
  );
}

/** Kernels of envs deleted by hand: hidden, with a way to unregister them. */
function DanglingNote(props: {
  count: number;
  trans: TranslationBundle;
  onCheckEnvs?: () => void;
}): JSX.Element | null {
  const { count, trans } = props;
  if (!count) {
    return null;
  }
  return (
    <p className="jp-MLC-dangling" role="note">
      {trans._n(
        'The kernel of %1 env that was deleted is hidden.',
        'The kernels of %1 envs that were deleted are hidden.',
        count
      )}{' '}
      {props.onCheckEnvs ? (
        <button
          type="button"
          className="jp-MLC-linkButton jp-MLC-dangling-check"
          onClick={props.onCheckEnvs}
        >
          {trans.__('Unregister them…')}
        </button>
      ) : null}
    </p>
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

namespace Private {
  /** The tile's badge when mlc reported the image under the env changed. */
  export function updateBadge(
    prefix: string,
    reports: ReadonlyMap<string, IEnvSummary> | undefined,
    trans: TranslationBundle,
    onImageUpdate?: (prefix: string) => void
  ): ITileBadge | undefined {
    const report = prefix ? reports?.get(prefix) : undefined;
    const problem = report?.problems.find(
      candidate => candidate.code === BASE_UPDATED
    );
    if (!report || !problem) {
      return undefined;
    }
    const change = report.imageChange;
    return {
      text: trans.__('Image updated'),
      // A title attribute: plain text, one line per kind of change.
      title: change
        ? [
            trans.__(
              'The image under this env changed (built %1 → %2); packages upgraded: %3, added: %4, removed: %5. Rebase the env to build its packages on it.',
              change.recordedBuild || trans.__('unknown date'),
              change.currentBuild || trans.__('unknown date'),
              change.upgraded.length,
              change.added.length,
              change.removed.length
            ),
            ...imageChangeLines(change, trans)
          ].join('\n')
        : problem.message,
      onClick: onImageUpdate ? () => onImageUpdate(prefix) : undefined
    };
  }
}
