/**
 * The package browser as a main-area tab, following IMLImage so that it
 * fills in when `image.json` arrives.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { listIcon, ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IMLImage } from '../tokens';
import { PackageBrowser } from './packageBrowser';

export class PackageBrowserWidget extends ReactWidget {
  constructor(
    private readonly _image: IMLImage,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-MLC-packagesWidget');
    _image.changed.connect(this.update, this);
  }

  dispose(): void {
    this._image.changed.disconnect(this.update, this);
    super.dispose();
  }

  protected render(): JSX.Element {
    return (
      <PackageBrowser metadata={this._image.metadata} trans={this._trans} />
    );
  }
}

/** A new package browser tab. */
export function createPackageBrowser(
  image: IMLImage,
  trans: TranslationBundle
): MainAreaWidget<PackageBrowserWidget> {
  const widget = new MainAreaWidget({
    content: new PackageBrowserWidget(image, trans)
  });
  widget.id = 'jp-MLC-packages';
  widget.title.label = trans.__('Image Packages');
  widget.title.caption = trans.__('Packages of the ML image');
  widget.title.icon = listIcon;
  widget.title.closable = true;
  return widget;
}
