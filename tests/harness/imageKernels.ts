/**
 * An image under test: a copy of the shared test prefix with the image's
 * kernel specs written into it by the real `mlc kernels install`, as an
 * image build does, so that `<prefix>/share/jupyter` is what JUPYTER_PATH
 * names. A copy, because the shared prefix stays as make-python-prefix.sh
 * left it for every other test file.
 */
import * as path from 'path';
import type { PythonMinor } from '../../src/core/kernelspec';
import { runMlc } from './mlc';
import { copyTestPrefix } from './prefix';

export interface IImageUnderTest {
  /** The image env prefix (the interpreter the kernels must run). */
  prefix: string;
  /** `X.Y` of its Python. */
  python: PythonMinor;
  /** `<prefix>/share/jupyter`: what the image puts on JUPYTER_PATH. */
  jupyterDir: string;
}

/** Copy the shared prefix to `dir/image` and run `mlc kernels install --prefix` on the copy. */
export function imageUnderTest(dir: string): IImageUnderTest {
  const { prefix, python } = copyTestPrefix(path.join(dir, 'image'));
  const install = runMlc(['kernels', 'install', '--prefix', prefix]);
  if (install.code !== 0) {
    const hint = 'is the bundle built? npm run build:cli';
    throw new Error(
      `mlc kernels install --prefix ${prefix} failed (exit ${install.code}; ${hint}):\n${install.stderr}`
    );
  }
  return { prefix, python, jupyterDir: path.join(prefix, 'share', 'jupyter') };
}
