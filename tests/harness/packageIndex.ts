/**
 * A real local package index for the env-life tests: pypiserver (from PyPI,
 * in the project venv) on 127.0.0.1 with a free port, serving wheels built
 * here with `pip wheel` from generated source directories, and one sdist
 * whose build fails. Nothing is downloaded: the index has only what the
 * harness builds.
 */
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { VENV } from './paths';

/** One package to build: a module of the same name (dashes as underscores). */
export interface IDemoPackage {
  name: string;
  version: string;
  /** Requirement strings of its dependencies. */
  requires?: string[];
  /** Source of the module (default: `__version__ = "<version>"`). */
  source?: string;
}

export interface IPackageIndex {
  /** `http://127.0.0.1:PORT/simple/`. */
  url: string;
  /** Where the packages are (add more with addPackages). */
  dir: string;
  /** The environment for pip to use only this index (merge into a run's env). */
  pipEnv: NodeJS.ProcessEnv;
  stop: () => Promise<void>;
}

/** The demo set every env-life test can use. */
export const DEMO_PACKAGES: IDemoPackage[] = [
  { name: 'mlc-demo-a', version: '1.0' },
  { name: 'mlc-demo-a', version: '2.0' },
  { name: 'mlc-demo-b', version: '1.0', requires: ['mlc-demo-a>=1.0'] }
];

/** Build wheels of `packages` into `dir` with the project venv's `pip wheel`. */
export function buildPackages(dir: string, packages: IDemoPackage[]): void {
  fs.mkdirSync(dir, { recursive: true });
  const sources = fs.mkdtempSync(path.join(dir, '.src-'));
  try {
    // pip wheel resolves its arguments together: two versions of one name go in separate rounds.
    const rounds: string[][] = [];
    for (const pkg of packages) {
      const module = pkg.name.replace(/-/g, '_');
      const src = path.join(sources, `${module}-${pkg.version}`);
      fs.mkdirSync(src);
      fs.writeFileSync(
        path.join(src, `${module}.py`),
        pkg.source ?? `__version__ = "${pkg.version}"\n`
      );
      fs.writeFileSync(
        path.join(src, 'pyproject.toml'),
        [
          '[build-system]',
          'requires = ["setuptools"]',
          'build-backend = "setuptools.build_meta"',
          '[project]',
          `name = "${pkg.name}"`,
          `version = "${pkg.version}"`,
          `dependencies = ${JSON.stringify(pkg.requires ?? [])}`,
          '[tool.setuptools]',
          `py-modules = ["${module}"]`,
          ''
        ].join('\n')
      );
      const round =
        rounds.find(
          names =>
            !names.some(made => path.basename(made).startsWith(`${module}-`))
        ) ?? (rounds[rounds.push([]) - 1] as string[]);
      round.push(src);
    }
    for (const made of rounds) {
      execFileSync(
        path.join(VENV, 'bin', 'python'),
        [
          '-m',
          'pip',
          'wheel',
          '--quiet',
          '--no-deps',
          '--no-build-isolation',
          '--no-index',
          '--disable-pip-version-check',
          '-w',
          dir,
          ...made
        ],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
          timeout: 300000,
          env: { ...process.env, PYTHONWARNINGS: 'ignore' }
        }
      );
    }
  } finally {
    fs.rmSync(sources, { recursive: true, force: true });
  }
}

/** An sdist whose build fails (its setup.py raises), as `name-version.tar.gz` in `dir`. */
export function buildFailingSdist(
  dir: string,
  name: string,
  version: string
): void {
  const module = name.replace(/-/g, '_');
  const root = fs.mkdtempSync(path.join(dir, '.sdist-'));
  const top = `${module}-${version}`;
  fs.mkdirSync(path.join(root, top));
  fs.writeFileSync(
    path.join(root, top, 'setup.py'),
    'raise SystemExit("mlc-test: this package cannot be built")\n'
  );
  fs.writeFileSync(
    path.join(root, top, 'PKG-INFO'),
    `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`
  );
  execFileSync('tar', [
    '-czf',
    path.join(dir, `${top}.tar.gz`),
    '-C',
    root,
    top
  ]);
  fs.rmSync(root, { recursive: true, force: true });
}

/** Start pypiserver over `dir` on 127.0.0.1; resolves once it answers. */
export async function startPackageIndex(dir: string): Promise<IPackageIndex> {
  fs.chmodSync(dir, 0o755);
  const port = await Private.freePort();
  const child = spawn(
    path.join(VENV, 'bin', 'pypi-server'),
    [
      'run',
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '-a',
      '.',
      '-P',
      '.',
      '--disable-fallback',
      '--backend',
      'simple-dir',
      dir
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true }
  );
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}/simple/`;
  await Private.waitUntilUp(url, child, () => errors);
  return {
    url,
    dir,
    pipEnv: {
      PIP_INDEX_URL: url,
      PIP_EXTRA_INDEX_URL: '',
      PIP_FIND_LINKS: '',
      PIP_NO_CACHE_DIR: '1',
      PIP_RETRIES: '0',
      PIP_TIMEOUT: '10'
    },
    stop: () => Private.stop(child)
  };
}

namespace Private {
  export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const port = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(port));
      });
    });
  }

  export async function waitUntilUp(
    url: string,
    child: ChildProcess,
    errors: () => string
  ): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      if (child.exitCode !== null) {
        throw new Error(`pypi-server exited (${child.exitCode}): ${errors()}`);
      }
      try {
        const response = await fetch(url);
        if (response.ok) {
          return;
        }
      } catch {
        // Not listening yet.
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`pypi-server did not answer on ${url}: ${errors()}`);
  }

  export function stop(child: ChildProcess): Promise<void> {
    return new Promise(resolve => {
      if (child.exitCode !== null || child.pid === undefined) {
        resolve();
        return;
      }
      child.once('exit', () => resolve());
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        resolve();
      }
    });
  }
}
