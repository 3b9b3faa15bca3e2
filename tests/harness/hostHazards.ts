/**
 * What a hub host leaks into a Jupyter server and its kernels, recreated on
 * purpose: a foreign `python3.X` first on PATH, packages in the user site,
 * an old user-level `python3` kernel spec.
 */
import * as fs from 'fs';
import * as path from 'path';

/** What every decoy prints before failing. */
export const DECOY_OUTPUT = 'DECOY';

/** The module planted in the user site. */
export const USER_SITE_MARKER = 'mlc_marker';

/**
 * A directory of executables named `names` that print DECOY and exit 1, as
 * a host Python prepended to PATH would shadow the image's (BNL).
 */
export function makeDecoyBin(dir: string, names: string[]): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const name of names) {
    fs.writeFileSync(
      path.join(dir, name),
      `#!/bin/sh\necho ${DECOY_OUTPUT}\nexit 1\n`,
      { mode: 0o755 }
    );
  }
  return dir;
}

/** `HOME/.local/lib/pythonX.Y/site-packages/mlc_marker.py`; returns its path. */
export function plantUserSiteMarker(home: string, python: string): string {
  const site = path.join(
    home,
    '.local',
    'lib',
    `python${python}`,
    'site-packages'
  );
  fs.mkdirSync(site, { recursive: true });
  const file = path.join(site, `${USER_SITE_MARKER}.py`);
  fs.writeFileSync(file, 'MARKER = "user site"\n');
  return file;
}

/** A user-level kernel spec `name` in JUPYTER_DATA_DIR running `interpreter`. */
export function plantUserKernel(
  dataDir: string,
  name: string,
  interpreter: string
): string {
  const dir = path.join(dataDir, 'kernels', name);
  fs.mkdirSync(dir, { recursive: true });
  const spec = {
    argv: [interpreter, '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
    display_name: 'Old user Python',
    language: 'python'
  };
  fs.writeFileSync(
    path.join(dir, 'kernel.json'),
    JSON.stringify(spec, null, 1) + '\n'
  );
  return dir;
}

/** The first executable `name` on a PATH string, as execvp would find it. */
export function whichOnPath(name: string, searchPath: string): string | null {
  for (const dir of searchPath.split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) {
        return candidate;
      }
    } catch {
      // Not here.
    }
  }
  return null;
}
