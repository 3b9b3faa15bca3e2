/**
 * The logos written into each image kernel spec, so the launcher tiles are
 * recognisable. They are embedded in the one-file bundle (see
 * kernelspecs/README.md); only the bundle can load this module.
 */
import logo32 from '../../../kernelspecs/logo-32x32.png';
import logo64 from '../../../kernelspecs/logo-64x64.png';
import logoSvg from '../../../kernelspecs/logo-svg.svg';

/** File name in the spec directory -> content (the names Jupyter serves as logos). */
export const KERNEL_LOGOS: ReadonlyArray<
  readonly [string, string | Uint8Array]
> = [
  ['logo-svg.svg', logoSvg],
  ['logo-32x32.png', logo32],
  ['logo-64x64.png', logo64]
];
