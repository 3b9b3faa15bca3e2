/**
 * The Lumino widget that carries the launcher section. It sits in a
 * launcher's `contentHeader` (a BoxPanel above the launcher body), so React
 * renders only into our own node and never into the stock launcher's.
 *
 * A BoxLayout sizes its children from their CSS min-height, not from their
 * content; the widget therefore measures its content and sets its own
 * min-height (at most a share of the tab, scrolling beyond that).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import {
  consoleIcon,
  listIcon,
  notebookIcon,
  ReactWidget
} from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import type { ISignal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';
import * as React from 'react';
import type { IMLImage } from '../tokens';
import { afterFirstPaint } from './afterPaint';
import type { LaunchKind } from './kernelTile';
import { LauncherSection } from './section';

/** The settings the section reads, kept current by the plugin. */
export interface ISectionSettings {
  readonly title: string;
  readonly showPackagesButton: boolean;
  readonly changed: ISignal<unknown, void>;
}

export class LauncherSectionWidget extends ReactWidget {
  constructor(options: LauncherSectionWidget.IOptions) {
    super();
    this._options = options;
    this.addClass('jp-MLC-sectionWidget');
    options.image.changed.connect(this.update, this);
    options.settings.changed.connect(this.update, this);
    this._observer = new ResizeObserver(() => this._fit());
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._observer.disconnect();
    this._options.image.changed.disconnect(this.update, this);
    this._options.settings.changed.disconnect(this.update, this);
    super.dispose();
  }

  protected render(): JSX.Element {
    const { image, settings, trans } = this._options;
    return (
      <div className="jp-MLC-sectionRoot" ref={this._setRoot}>
        <LauncherSection
          catalog={image.catalog}
          metadata={image.metadata}
          title={settings.title}
          showPackagesButton={
            settings.showPackagesButton && this._options.canShowPackages()
          }
          trans={trans}
          onOpen={this._options.onOpen}
          onShowPackages={this._options.onShowPackages}
          onCreateEnv={
            this._options.canCreateEnv() ? this._options.onCreateEnv : undefined
          }
          kinds={this._options.kinds()}
          icons={Private.icons}
          envReports={image.envReports}
          onEnvMenu={this._options.onEnvMenu}
          onImageUpdate={this._options.onImageUpdate}
          onCheckEnvs={this._options.onCheckEnvs}
        />
      </div>
    );
  }

  protected onUpdateRequest(msg: Message): void {
    const { catalog } = this._options.image;
    this.setHidden(!catalog.imageKernels.length && !catalog.envKernels.length);
    super.onUpdateRequest(msg);
    if (!this._painted && catalog.envKernels.length && this.isVisible) {
      // The env tiles are drawn: what looks closer at the envs may start.
      this._painted = true;
      afterFirstPaint(() => this._options.onEnvTilesPainted?.());
    }
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._fit();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._fit();
  }

  /** Make our min-height the content's height, capped to a share of the tab. */
  private _fit(): void {
    const root = this._root;
    const host = this.parent?.parent;
    if (!root || !host || this.isHidden || !host.node.clientHeight) {
      return; // not laid out yet (e.g. a background tab): fit when shown
    }
    const natural = Math.ceil(root.getBoundingClientRect().height);
    const cap = Math.max(
      MIN_CAP,
      Math.floor(host.node.clientHeight * HEIGHT_SHARE)
    );
    const height = Math.min(natural, cap);
    // A capped section scrolls on its own: its lower edge says so.
    this.toggleClass('jp-MLC-mod-capped', natural > cap);
    if (height === this._height) {
      return;
    }
    this._height = height;
    this.node.style.minHeight = `${height}px`;
    this.parent?.fit();
  }

  private _setRoot = (element: HTMLDivElement | null): void => {
    if (element === this._root) {
      return;
    }
    if (this._root) {
      this._observer.unobserve(this._root);
    }
    this._root = element;
    if (element) {
      this._observer.observe(element);
    }
  };

  private _options: LauncherSectionWidget.IOptions;
  private _observer: ResizeObserver;
  private _root: HTMLDivElement | null = null;
  private _height = -1;
  private _painted = false;
}

/** The section takes at most this share of the launcher tab's height... */
const HEIGHT_SHARE = 0.7;
/** ...but never less than this many pixels. */
const MIN_CAP = 160;

export namespace LauncherSectionWidget {
  export interface IOptions {
    image: IMLImage;
    settings: ISectionSettings;
    trans: TranslationBundle;
    onOpen: (kernelName: string, kind: LaunchKind) => void;
    onShowPackages: () => void;
    onCreateEnv: () => void;
    /** Whether the create-env command exists. */
    canCreateEnv: () => boolean;
    /** Whether the package browser command exists. */
    canShowPackages: () => boolean;
    /** Which launch commands exist. */
    kinds: () => readonly LaunchKind[];
    /** Opens an env tile's menu below `anchor`. */
    onEnvMenu?: (prefix: string, anchor: HTMLElement) => void;
    /** The update badge's action. */
    onImageUpdate?: (prefix: string) => void;
    /** Opens the env check. */
    onCheckEnvs?: () => void;
    /** Called once, after the first paint that shows env tiles. */
    onEnvTilesPainted?: () => void;
  }
}

namespace Private {
  export const icons = {
    notebook: <notebookIcon.react tag="span" className="jp-MLC-icon" />,
    console: <consoleIcon.react tag="span" className="jp-MLC-icon" />,
    packages: <listIcon.react tag="span" className="jp-MLC-icon" />
  };
}
