/**
 * Which installer Add Packages… and Remove Packages… may use for an env:
 * pip always; conda only when the env's image has a conda installer
 * (micromamba, mamba or conda). Known without a run of its own: from what
 * `mlc env list` reported about the env (the session's one list, after the
 * launcher's first paint), else from the image's package list (image.json,
 * there at first paint) when the env sits on this image.
 */
import type { ImagePackage } from '../../core/imageMetadata';
import type { IMLImage } from '../tokens';

export type Installer = 'pip' | 'conda';

/** Whether the conda choice is open, and which installer it would run, or why not. */
export type CondaChoice =
  | { enabled: true; installer: string }
  | {
      enabled: false;
      /** `none`: mlc found none in the image; `unknown`: nothing says there is one. */
      why: 'none' | 'unknown';
    };

/** What is known about an env's image for the choice. */
export interface ICondaFacts {
  /**
   * The env summary's `condaInstaller`: the installer's name mlc found in
   * the env's base, null when it found none, undefined when mlc did not say
   * (an mlc without the field, or no list ran yet).
   */
  reported: string | null | undefined;
  /** The image's packages when the env's base is this image (its image.json), else null. */
  imagePackages: readonly Pick<ImagePackage, 'name' | 'source'>[] | null;
}

/** The enabling rule: mlc's word first, then the image's package list; never a guess. */
export function condaChoice(facts: ICondaFacts): CondaChoice {
  const { reported, imagePackages } = facts;
  if (reported === null) {
    return { enabled: false, why: 'none' };
  }
  if (reported !== undefined) {
    // A name read from another program: shown in the label, so checked.
    return Private.INSTALLER_NAME.test(reported)
      ? { enabled: true, installer: reported }
      : { enabled: false, why: 'unknown' };
  }
  for (const name of Private.CONDA_INSTALLERS) {
    if (
      imagePackages?.some(
        item => item.source === 'conda' && item.name.toLowerCase() === name
      )
    ) {
      return { enabled: true, installer: name };
    }
  }
  return { enabled: false, why: 'unknown' };
}

/** The choice for the env at `prefix`, from what IMLImage knows already. */
export function condaChoiceFor(
  image: IMLImage | null,
  prefix: string
): CondaChoice {
  const report = image?.envReports.get(prefix);
  const metadata = image?.metadata;
  const kernel = image?.catalog.envKernels.find(
    candidate => candidate.envPrefix === prefix
  );
  // The kernel knows its base; an env without one, only mlc's report.
  const onThisImage = kernel
    ? !kernel.onOtherBase
    : !!report && report.basePrefix === image?.catalog.facts?.prefix;
  return condaChoice({
    reported: report?.condaInstaller,
    imagePackages:
      onThisImage && metadata?.status === 'ready'
        ? metadata.value.packages
        : null
  });
}

/**
 * The channel typed for a conda install: '' for the installer's own
 * channels, else one name or URL (conda-forge, https://…, file:///…), or
 * the problem with it.
 */
export function parseChannel(
  text: string
): { channel: string } | { problem: 'option' | 'shape' } {
  const channel = text.trim();
  if (!channel) {
    return { channel: '' };
  }
  if (channel.startsWith('-')) {
    return { problem: 'option' };
  }
  return channel.length <= Private.MAX_CHANNEL &&
    Private.CHANNEL_SHAPE.test(channel)
    ? { channel }
    : { problem: 'shape' };
}

namespace Private {
  /** In the order mlc prefers them when the image has several. */
  export const CONDA_INSTALLERS = ['micromamba', 'mamba', 'conda'] as const;

  export const INSTALLER_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

  /** A channel name or URL: no white space, no control characters, no quotes. */
  export const CHANNEL_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._~:/@%+=-]*$/;

  export const MAX_CHANNEL = 500;
}
