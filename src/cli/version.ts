/** mlc's version: set by the bundle (scripts/build-cli.mjs), a dev marker when run from source. */
declare const MLC_VERSION: string;

export function mlcVersion(): string {
  return typeof MLC_VERSION === 'string' ? MLC_VERSION : '0.0.0-dev';
}
