/**
 * What the user installed into the image env since setup: conda packages
 * from `conda-meta/history` (transactions after the setup time) and pip
 * packages that `pip list` shows but the image's own list does not.
 * Read from inside the container (exec), or from the sandbox tree.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  addedCondaPackages,
  historyTimestamp
} from '../../core/runner/condaHistory';
import {
  parseDistInfoName,
  parsePackageList,
  PACKAGE_LIST_FILE
} from '../../core/packageManifest';
import { IMAGE_ENV_PREFIX, type WorkState } from '../../core/runner/workState';
import { sandboxPath } from './container';
import { captureEngine, type IEngine } from './engine';
import { operandsAfterOptions } from '../../core/argv';
import { readRegularFile } from '../fs/regularFile';

export interface IAddedPackages {
  conda: { name: string; version: string; channel: string }[];
  /** The names the user asked conda for (`# update specs:`), what a reinstall asks for again. */
  condaSpecs: string[];
  pip: { name: string; version: string }[];
  /** Why a part could not be read, if it could not. */
  problems: string[];
}

export function addedPackages(
  engine: IEngine,
  state: WorkState
): IAddedPackages {
  const problems: string[] = [];
  const read = state.sandbox
    ? Private.sandboxReader(state)
    : Private.containerReader(engine, state);
  const history = read(`${IMAGE_ENV_PREFIX}/conda-meta/history`);
  const conda =
    history === null
      ? { packages: [], specs: [] }
      : addedCondaPackages(history, historyTimestamp(new Date(state.setupAt)));
  const imageList = read(`/${PACKAGE_LIST_FILE}`);
  const installed = state.sandbox
    ? Private.sandboxDistributions(state)
    : Private.containerPipList(engine, state);
  if (installed === null) {
    problems.push('pip list could not be read');
  }
  if (imageList === null) {
    problems.push(`/${PACKAGE_LIST_FILE} could not be read`);
  }
  const inImage = new Set(
    (imageList === null ? [] : parsePackageList(imageList)).map(pkg =>
      Private.normal(pkg.name)
    )
  );
  const viaConda = new Set(conda.packages.map(pkg => Private.normal(pkg.name)));
  const pip =
    installed === null || imageList === null
      ? []
      : installed.filter(
          pkg =>
            !inImage.has(Private.normal(pkg.name)) &&
            !viaConda.has(Private.normal(pkg.name))
        );
  return {
    conda: conda.packages,
    condaSpecs: conda.specs,
    pip: pip.sort((a, b) => (a.name < b.name ? -1 : 1)),
    problems
  };
}

namespace Private {
  /** PEP 503 normalisation, so `Foo_Bar` and `foo-bar` are one package. */
  export function normal(name: string): string {
    return name.toLowerCase().replace(/[-_.]+/g, '-');
  }

  export function containerReader(
    engine: IEngine,
    state: WorkState
  ): (file: string) => string | null {
    return file => {
      const result = captureEngine(
        engine,
        [
          'exec',
          ...operandsAfterOptions([state.container?.id ?? '', 'cat', file])
        ],
        60000
      );
      return result.code === 0 ? result.stdout : null;
    };
  }

  export function sandboxReader(
    state: WorkState
  ): (file: string) => string | null {
    const root = sandboxPath(state);
    return file => {
      try {
        const full = path.join(root, file);
        // Read inside the sandbox only: a link there may point anywhere on the host.
        if (
          !fs.realpathSync(full).startsWith(fs.realpathSync(root) + path.sep)
        ) {
          return null;
        }
        const read = readRegularFile(full, { maxBytes: 64 * 1024 * 1024 });
        return read.ok ? read.text : null;
      } catch {
        return null;
      }
    };
  }

  export function containerPipList(
    engine: IEngine,
    state: WorkState
  ): { name: string; version: string }[] | null {
    const result = captureEngine(
      engine,
      [
        'exec',
        '-e',
        'PIP_DISABLE_PIP_VERSION_CHECK=1',
        ...operandsAfterOptions([
          state.container?.id ?? '',
          'python3',
          '-m',
          'pip',
          'list',
          '--format',
          'json'
        ])
      ],
      120000
    );
    if (result.code !== 0) {
      return null;
    }
    try {
      const list = JSON.parse(result.stdout) as {
        name?: unknown;
        version?: unknown;
      }[];
      return list
        .filter(
          item =>
            typeof item.name === 'string' && typeof item.version === 'string'
        )
        .map(item => ({
          name: item.name as string,
          version: item.version as string
        }));
    } catch {
      return null;
    }
  }

  export function sandboxDistributions(
    state: WorkState
  ): { name: string; version: string }[] | null {
    const lib = path.join(sandboxPath(state), IMAGE_ENV_PREFIX, 'lib');
    try {
      const found: { name: string; version: string }[] = [];
      for (const python of fs
        .readdirSync(lib)
        .filter(name => /^python3\.\d+$/.test(name))) {
        const site = path.join(lib, python, 'site-packages');
        for (const name of fs.readdirSync(site)) {
          const dist = name.endsWith('.dist-info')
            ? parseDistInfoName(name)
            : null;
          if (dist) {
            found.push(dist);
          }
        }
      }
      return found;
    } catch {
      return null;
    }
  }
}
