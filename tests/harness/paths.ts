/** Where the integration tests find the built project and keep their scratch files. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The repository root: the nearest folder above this file holding our
 * package.json (the harness also runs bundled, from build/bench/).
 */
export const REPO = findRepo(__dirname);

// A declaration, not a namespace member: it runs before the module's body.
function findRepo(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      fs.readFileSync(manifest, 'utf8').includes('"jupyterlab-ml-containers"')
    ) {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`no repository above ${start}`);
    }
  }
}

/**
 * The bundled mlc (built by `npm run build:cli`); MLC_TEST_BUNDLE runs the
 * tests against another build (e.g. an older commit's, to see a new test fail).
 */
export const MLC_BUNDLE =
  process.env.MLC_TEST_BUNDLE ||
  path.join(REPO, 'jupyterlab_ml_containers', 'mlc', 'mlc.cjs');

/** The project-local virtualenv with JupyterLab, jupyter_server and ipykernel. */
export const VENV = path.join(REPO, '.venv');

/**
 * A fresh scratch directory, world-readable and -executable so that the
 * unprivileged test user can reach what a test puts below it. Removed by
 * the returned function.
 */
export function makeScratch(label: string): {
  dir: string;
  cleanup: () => void;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mlc-${label}-`));
  fs.chmodSync(dir, 0o755);
  return {
    dir,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true })
  };
}
