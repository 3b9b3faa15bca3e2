/**
 * Find the Jupyter a server started here would be (`jupyter` on PATH, or
 * `--jupyter-prefix`) and ask its Python the few facts the kernel search
 * order depends on. When that Python cannot be run, the facts are guessed
 * from the files, and the report says so.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readRegularFile } from '../fs/regularFile';
import type { IJupyterFacts } from './searchPath';

/** Where the facts came from, for the report. */
export interface IJupyterFound {
  /** The `jupyter` script or the --jupyter-prefix given. */
  origin: string;
  facts: IJupyterFacts;
}

/** Run by the server's Python; prints one JSON object. No user text in it. */
const PROBE = `
import json, os, site, sys
from importlib.util import find_spec
def resources():
    spec = find_spec("ipykernel")
    locations = list(spec.submodule_search_locations or []) if spec else []
    return os.path.join(locations[0], "resources") if locations else None
print(json.dumps({
    "prefix": sys.prefix,
    "basePrefix": sys.base_prefix,
    "executable": sys.executable,
    "version": "%d.%d" % sys.version_info[:2],
    "enableUserSite": bool(site.ENABLE_USER_SITE),
    "userBase": site.getuserbase() if hasattr(site, "getuserbase") else site.USER_BASE,
    "hasIPython": find_spec("IPython") is not None,
    "ipykernelResources": resources(),
}))
`;
import { isExecutableFile } from '../fs/probes';

/** The `jupyter` on `env.PATH` and its Python's facts, or null when there is none. */
export function jupyterOnPath(
  env: NodeJS.ProcessEnv,
  cwd: string
): IJupyterFound | null {
  const script = findOnPath('jupyter', env.PATH ?? '', cwd);
  if (script === null) {
    return null;
  }
  const command = Private.shebang(script);
  const probed = command ? Private.probe(command, env, cwd) : null;
  return {
    origin: script,
    facts:
      probed ??
      Private.guess(path.dirname(path.dirname(Private.realpath(script))), env)
  };
}

/** The facts for a Jupyter installed in `prefix` (from --jupyter-prefix). */
export function jupyterInPrefix(
  prefix: string,
  env: NodeJS.ProcessEnv,
  cwd: string
): IJupyterFound {
  const python = ['python3', 'python']
    .map(name => path.join(prefix, 'bin', name))
    .find(file => isExecutableFile(file));
  const probed = python ? Private.probe([python], env, cwd) : null;
  // The user named the prefix: it wins over what the interpreter reports.
  const facts = probed ? { ...probed, prefix } : Private.guess(prefix, env);
  return { origin: prefix, facts };
}

/** execvp's lookup: the first executable file named `name` in `searchPath`. */
export function findOnPath(
  name: string,
  searchPath: string,
  cwd: string
): string | null {
  if (name.includes('/')) {
    const file = path.resolve(cwd, name);
    return isExecutableFile(file) ? file : null;
  }
  for (const dir of searchPath.split(':')) {
    const file = path.resolve(cwd, dir || '.', name);
    if (isExecutableFile(file)) {
      return file;
    }
  }
  return null;
}

namespace Private {
  /** The interpreter command of a script: Linux passes what follows it as one argument. */
  export function shebang(script: string): string[] | null {
    let head: string;
    try {
      const fd = fs.openSync(script, 'r');
      try {
        const buffer = Buffer.alloc(256);
        head = buffer
          .subarray(0, fs.readSync(fd, buffer, 0, 256, 0))
          .toString('utf-8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return null;
    }
    const match = /^#!\s*(\S+)(?:[ \t]+(.*?))?[ \t]*\r?\n/.exec(head);
    if (!match) {
      return null;
    }
    return match[2] ? [match[1], match[2]] : [match[1]];
  }

  export function probe(
    command: string[],
    env: NodeJS.ProcessEnv,
    cwd: string
  ): IJupyterFacts | null {
    const result = spawnSync(command[0], [...command.slice(1), '-c', PROBE], {
      env,
      cwd,
      encoding: 'utf-8',
      timeout: 30000
    });
    if (result.status !== 0) {
      return null;
    }
    try {
      const facts = JSON.parse(result.stdout) as Omit<IJupyterFacts, 'probed'>;
      return typeof facts.prefix === 'string'
        ? { ...facts, probed: true }
        : null;
    } catch {
      return null;
    }
  }

  /** What the files say when the Python cannot be asked. */
  export function guess(prefix: string, env: NodeJS.ProcessEnv): IJupyterFacts {
    const venv = readPyvenvCfg(prefix);
    const home = env.HOME ?? '';
    return {
      prefix,
      // A venv's base differs from its prefix; the exact value does not matter here.
      basePrefix: venv ? (venv.home ? path.dirname(venv.home) : '') : prefix,
      executable: null,
      version: null,
      enableUserSite:
        !env.PYTHONNOUSERSITE && (!venv || venv.systemSitePackages),
      userBase: env.PYTHONUSERBASE || (home ? `${home}/.local` : null),
      hasIPython: true,
      ipykernelResources: null,
      probed: false
    };
  }

  /** pyvenv.cfg's two keys; a FIFO, device or huge file there is no venv config. */
  function readPyvenvCfg(
    prefix: string
  ): { home: string; systemSitePackages: boolean } | null {
    const read = readRegularFile(path.join(prefix, 'pyvenv.cfg'), {
      maxBytes: 64 * 1024
    });
    if (!read.ok) {
      return null;
    }
    // Line by line, as the venv module reads it (a multi-line regex backtracked on blank runs).
    const values = new Map<string, string>();
    for (const line of read.text.split('\n')) {
      const equals = line.indexOf('=');
      if (equals > 0) {
        values.set(
          line.slice(0, equals).trim().toLowerCase(),
          line.slice(equals + 1).trim()
        );
      }
    }
    return {
      home: values.get('home') ?? '',
      systemSitePackages:
        (values.get('include-system-site-packages') ?? '').toLowerCase() ===
        'true'
    };
  }

  export function realpath(file: string): string {
    try {
      return fs.realpathSync(file);
    } catch {
      return file;
    }
  }
}
