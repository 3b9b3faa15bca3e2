/**
 * `mlc kernels doctor`: every kernel spec a Jupyter server started here
 * would see, in its search order, with what is wrong with each:
 *
 * - `shadowed`: an earlier directory holds a spec of the same (lower-cased)
 *   name, so Jupyter never shows this one;
 * - `missing-interpreter`: argv[0] (or the program `/usr/bin/env` runs,
 *   looked up on the spec's own PATH with `${PATH}` filled in) does not exist;
 * - `foreign`: a visible spec with no `ml_containers` metadata and an
 *   interpreter outside the image prefix;
 * - `invalid`: kernel.json cannot be read as a spec (Jupyter skips it, but
 *   it still hides later specs of its name).
 *
 * Specs are reported, never changed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readImageFacts } from '../../core/kernelspec';
import { isWithin, normalizeAbsolute } from '../../core/validate';
import {
  findOnPath,
  jupyterInPrefix,
  jupyterOnPath,
  type IJupyterFound
} from './jupyterProbe';
import { isDirectory, isExecutableFile, isFile, resolves } from '../fs/probes';
import { readRegularFile } from '../fs/regularFile';
import {
  kernelSearchDirs,
  type IJupyterFacts,
  type SearchSource
} from './searchPath';

/** Far above any real kernel.json (a few hundred bytes). */
const MAX_SPEC_BYTES = 64 * 1024 * 1024;

export type Finding =
  'shadowed' | 'missing-interpreter' | 'foreign' | 'invalid';

/** One kernel spec directory as the report shows it (the `--json` array items). */
export interface IDoctorEntry {
  /** The kernel name Jupyter uses (the directory name, lower-cased). */
  name: string;
  displayName: string | null;
  resourceDir: string;
  /** The kernels directory it was found in, and why Jupyter searches that one. */
  searchDir: string;
  source: SearchSource | 'ipykernel';
  /** True when Jupyter would use this spec for its name. */
  visible: boolean;
  /** For a hidden spec: the resource directory that wins. */
  shadowedBy: string | null;
  /** True when the spec carries our `ml_containers` metadata. */
  mlContainers: boolean;
  argv: string[];
  /** The program that would run, and whether it exists. */
  interpreter: { command: string | null; path: string | null; exists: boolean };
  findings: Finding[];
  /** One line per finding, for people. */
  notes: string[];
}

/** What the report was made against. */
export interface IDoctorContext {
  imagePrefix: string | null;
  imagePrefixFrom: '--prefix' | 'JUPYTER_PATH' | null;
  jupyter: IJupyterFound | null;
  searchDirs: Array<{ dir: string; source: SearchSource; exists: boolean }>;
}

export interface IDoctorReport {
  context: IDoctorContext;
  entries: IDoctorEntry[];
}

export interface IDoctorOptions {
  /** The image prefix (--prefix), already absolute. */
  prefix?: string;
  /** The server's env prefix (--jupyter-prefix), already absolute. */
  jupyterPrefix?: string;
}

export function kernelsDoctor(
  options: IDoctorOptions,
  env: NodeJS.ProcessEnv,
  cwd: string
): IDoctorReport {
  const jupyter = options.jupyterPrefix
    ? jupyterInPrefix(options.jupyterPrefix, env, cwd)
    : jupyterOnPath(env, cwd);
  const home = env.HOME || os.homedir();
  const searchDirs = kernelSearchDirs({
    env,
    home,
    realHome: Private.realpath(home),
    jupyter: jupyter?.facts ?? null,
    ownsJupyterPrefix: jupyter ? Private.owns(jupyter.facts.prefix) : false
  });
  const image = Private.imagePrefix(options.prefix, env);

  const entries: IDoctorEntry[] = [];
  const winners = new Map<string, string>();
  const add = (
    name: string,
    resourceDir: string,
    searchDir: string,
    source: IDoctorEntry['source'],
    builtIn?: Private.ISpec
  ) => {
    const winner = winners.get(name);
    if (winner === undefined) {
      winners.set(name, resourceDir);
    }
    const examineContext = {
      env,
      cwd,
      jupyter: jupyter?.facts ?? null,
      imagePrefix: image.prefix
    };
    entries.push(
      Private.examine(
        name,
        resourceDir,
        searchDir,
        source,
        winner ?? null,
        examineContext,
        builtIn
      )
    );
  };
  for (const { dir, source } of searchDirs) {
    const listed = Private.kernelDirsIn(path.resolve(cwd, dir));
    // Within one directory Jupyter fills a dict: of names equal when
    // lower-cased, the last listed wins, in the place of the first.
    const chosen = new Map<string, string>();
    for (const entry of listed) {
      chosen.set(entry.toLowerCase(), entry);
    }
    for (const [name, entry] of chosen) {
      add(name, path.join(dir, entry), dir, source);
    }
    for (const entry of listed.filter(
      entry => chosen.get(entry.toLowerCase()) !== entry
    )) {
      add(entry.toLowerCase(), path.join(dir, entry), dir, source);
    }
  }
  // jupyter_client falls back to ipykernel's own spec (the server's Python,
  // no kernel.json on disk) when no directory holds a `python3`.
  const facts = jupyter?.facts;
  if (
    !winners.has('python3') &&
    facts?.ipykernelResources &&
    facts.executable
  ) {
    add(
      'python3',
      facts.ipykernelResources,
      path.dirname(facts.ipykernelResources),
      'ipykernel',
      {
        argv: [
          facts.executable,
          '-m',
          'ipykernel_launcher',
          '-f',
          '{connection_file}'
        ],
        env: {},
        displayName: 'Python 3 (ipykernel)',
        metadata: { debugger: true }
      }
    );
  }
  return {
    context: {
      imagePrefix: image.prefix,
      imagePrefixFrom: image.from,
      jupyter,
      searchDirs: searchDirs.map(({ dir, source }) => ({
        dir,
        source,
        exists: isDirectory(path.resolve(cwd, dir))
      }))
    },
    entries
  };
}

/** The findings that make `--strict` fail: problems of specs Jupyter would show. */
export function strictProblems(entries: IDoctorEntry[]): IDoctorEntry[] {
  return entries.filter(entry => entry.visible && entry.findings.length > 0);
}

namespace Private {
  interface IExamineContext {
    env: NodeJS.ProcessEnv;
    cwd: string;
    jupyter: IJupyterFacts | null;
    imagePrefix: string | null;
  }

  export function examine(
    name: string,
    resourceDir: string,
    searchDir: string,
    source: IDoctorEntry['source'],
    shadowedBy: string | null,
    context: IExamineContext,
    builtIn?: ISpec
  ): IDoctorEntry {
    const findings: Finding[] = [];
    const notes: string[] = [];
    if (shadowedBy !== null) {
      findings.push('shadowed');
      notes.push(`hidden by ${shadowedBy}`);
    }
    const spec = builtIn ?? readSpec(resourceDir, context.cwd);
    if (typeof spec === 'string') {
      findings.push('invalid');
      notes.push(spec);
      return {
        name,
        displayName: null,
        resourceDir,
        searchDir,
        source,
        visible: shadowedBy === null,
        shadowedBy,
        mlContainers: false,
        argv: [],
        interpreter: { command: null, path: null, exists: false },
        findings,
        notes
      };
    }
    const interpreter = resolveInterpreter(spec.argv, spec.env, context);
    if (!interpreter.exists) {
      findings.push('missing-interpreter');
      notes.push(
        interpreter.command === null
          ? 'its argv is empty'
          : `its interpreter ${interpreter.path ?? interpreter.command} does not exist` +
              (interpreter.path === null ? " on the spec's PATH" : '')
      );
    }
    const mlContainers = readImageFacts(spec.metadata) !== null;
    // Whose a hidden spec is does not matter: Jupyter never shows it.
    if (
      shadowedBy === null &&
      !mlContainers &&
      context.imagePrefix !== null &&
      !insideImage(interpreter, context)
    ) {
      findings.push('foreign');
      notes.push(
        `not the image's: no ml_containers metadata, and ${interpreter.path ?? interpreter.command ?? 'its interpreter'} is outside ${context.imagePrefix}`
      );
    }
    return {
      name,
      displayName: spec.displayName,
      resourceDir,
      searchDir,
      source,
      visible: shadowedBy === null,
      shadowedBy,
      mlContainers,
      argv: spec.argv,
      interpreter,
      findings,
      notes
    };
  }

  export interface ISpec {
    argv: string[];
    env: Record<string, string>;
    displayName: string;
    metadata: unknown;
  }

  /** The parts of kernel.json we look at, or why it is not a spec. */
  function readSpec(resourceDir: string, cwd: string): ISpec | string {
    // Only a regular file, and not without bound: a FIFO would block, a device never end.
    const read = readRegularFile(
      path.resolve(cwd, resourceDir, 'kernel.json'),
      { maxBytes: MAX_SPEC_BYTES }
    );
    if (!read.ok) {
      return `kernel.json ${read.reason}; Jupyter skips this spec`;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(read.text);
    } catch (error) {
      return `kernel.json is not valid JSON (${(error as Error).message.split('\n')[0].slice(0, 200)}); Jupyter skips this spec`;
    }
    const spec = raw as {
      argv?: unknown;
      env?: unknown;
      display_name?: unknown;
      metadata?: unknown;
    };
    if (
      raw === null ||
      typeof raw !== 'object' ||
      !Array.isArray(spec.argv) ||
      !spec.argv.every(arg => typeof arg === 'string')
    ) {
      return 'kernel.json has no argv list of strings; Jupyter skips this spec';
    }
    const env: Record<string, string> = {};
    if (spec.env !== null && typeof spec.env === 'object') {
      for (const [key, value] of Object.entries(spec.env)) {
        if (typeof value === 'string') {
          env[key] = value;
        }
      }
    }
    return {
      argv: spec.argv as string[],
      env,
      displayName:
        typeof spec.display_name === 'string' ? spec.display_name : '',
      metadata: spec.metadata
    };
  }

  /**
   * What would run, as jupyter_client and the kernel's Popen decide: argv[0]
   * `python`, `python3` or the server's `python3.X` becomes the server's own
   * interpreter; the spec's env (with `${VAR}` filled from the server's
   * environment) supplies the PATH that bare names and `/usr/bin/env` use.
   */
  function resolveInterpreter(
    argv: string[],
    specEnv: Record<string, string>,
    context: IExamineContext
  ): IDoctorEntry['interpreter'] {
    if (argv.length === 0) {
      return { command: null, path: null, exists: false };
    }
    const { jupyter, cwd } = context;
    const command = argv[0];
    const serverNames = [
      'python',
      'python3',
      ...(jupyter?.version ? [`python${jupyter.version}`] : [])
    ];
    if (jupyter?.executable && serverNames.includes(command)) {
      return {
        command,
        path: jupyter.executable,
        exists: isExecutableFile(jupyter.executable)
      };
    }
    let searchPath = substitute(
      specEnv.PATH ?? context.env.PATH ?? '',
      context.env
    );
    let program = command;
    if (path.basename(command) === 'env') {
      // `/usr/bin/env [NAME=VALUE...] PROGRAM`: env itself must exist, then PROGRAM.
      const envPath = findOnPath(command, searchPath, cwd);
      if (envPath === null) {
        return { command, path: null, exists: false };
      }
      const rest = argv.slice(1).filter(arg => !arg.startsWith('-'));
      const index = rest.findIndex(arg => !arg.includes('='));
      for (const assignment of rest.slice(0, index < 0 ? rest.length : index)) {
        if (assignment.startsWith('PATH=')) {
          searchPath = assignment.slice('PATH='.length);
        }
      }
      if (index < 0) {
        return { command, path: envPath, exists: true };
      }
      program = rest[index];
    }
    const found = findOnPath(program, searchPath, cwd);
    if (found !== null) {
      return { command: program, path: found, exists: true };
    }
    return {
      command: program,
      path: program.includes('/') ? path.resolve(cwd, program) : null,
      exists: false
    };
  }

  /** Python's `string.Template.safe_substitute`, as jupyter_client applies it to `env`. */
  export function substitute(value: string, env: NodeJS.ProcessEnv): string {
    return value.replace(
      /\$(?:(\$)|([_a-z][_a-z0-9]*)|\{([_a-z][_a-z0-9]*)\})/gi,
      (match: string, dollar?: string, named?: string, braced?: string) => {
        if (dollar) {
          return '$';
        }
        const key = (named ?? braced) as string;
        const replacement = env[key];
        return replacement === undefined ? match : replacement;
      }
    );
  }

  function insideImage(
    interpreter: IDoctorEntry['interpreter'],
    context: IExamineContext
  ): boolean {
    const prefix = context.imagePrefix as string;
    const candidate = interpreter.path ?? interpreter.command;
    if (candidate === null || !candidate.startsWith('/')) {
      return false;
    }
    const lexical = normalizeAbsolute(candidate);
    return (
      isWithin(lexical, prefix) || isWithin(realpath(lexical), realpath(prefix))
    );
  }

  /** --prefix, else the prefix whose share/jupyter is the first such JUPYTER_PATH entry. */
  export function imagePrefix(
    given: string | undefined,
    env: NodeJS.ProcessEnv
  ): { prefix: string | null; from: IDoctorContext['imagePrefixFrom'] } {
    if (given) {
      return { prefix: given, from: '--prefix' };
    }
    for (const entry of (env.JUPYTER_PATH ?? '').split(':')) {
      const match = /^(\/.*?)\/share\/jupyter\/*$/.exec(entry);
      if (match) {
        return { prefix: normalizeAbsolute(match[1]), from: 'JUPYTER_PATH' };
      }
    }
    return { prefix: null, from: null };
  }

  /**
   * The kernel spec directories in `dir`, in the order the directory lists
   * them (Python's os.listdir; fs.readdirSync would sort them).
   */
  export function kernelDirsIn(dir: string): string[] {
    let handle: fs.Dir;
    try {
      handle = fs.opendirSync(dir);
    } catch {
      return [];
    }
    const names: string[] = [];
    try {
      for (
        let entry = handle.readSync();
        entry !== null;
        entry = handle.readSync()
      ) {
        if (
          isDirectory(path.join(dir, entry.name)) &&
          isFile(path.join(dir, entry.name, 'kernel.json'))
        ) {
          names.push(entry.name);
        }
      }
    } finally {
      handle.closeSync();
    }
    return names;
  }

  export function realpath(file: string): string {
    try {
      return fs.realpathSync(file);
    } catch {
      return file;
    }
  }

  /** jupyter_core's `_do_i_own`: the first existing ancestor belongs to this user. */
  export function owns(prefix: string): boolean {
    let current = path.resolve(prefix);
    while (!resolves(current) && current !== path.dirname(current)) {
      current = path.dirname(current);
    }
    try {
      return fs.statSync(current).uid === process.geteuid?.();
    } catch {
      return false;
    }
  }
}
