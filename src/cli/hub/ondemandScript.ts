/**
 * The script an Open OnDemand "custom image" Jupyter session sources (the
 * SLAC shape): it defines a shell function `jupyter` that runs the image's
 * own `jupyter` in a container, so the session's `jupyter lab ...` starts
 * JupyterLab inside the image, e.g.
 *
 *     jupyter() {
 *         apptainer exec --nv -B /sdf,/cvmfs /path/ml-torch-gpu.sif jupyter "$@"
 *     }
 *
 * Pure: the caller finds the engine and writes the text. Every value enters
 * the script as one shell word (shQuote), so no path or name is ever parsed
 * by the session's shell.
 */
import { UserError } from '../errors';
import { shQuote } from '../../core/quote';
import { argumentProblem } from '../../core/argv';
import { elideText } from '../../core/visibleText';

export const ONDEMAND_ENGINES = ['apptainer', 'singularity', 'podman'] as const;
export type OndemandEngine = (typeof ONDEMAND_ENGINES)[number];

export interface IOndemandRequest {
  engine: OndemandEngine;
  image: string;
  /** Bind paths as Apptainer takes them: `SRC[:DEST[:ro|rw]]`. */
  binds: string[];
  gpu: boolean;
}

/**
 * Whether an image is a GPU image by its name: the ML images put the
 * flavour in it (ml-tensorflow-gpu, ml-torch-gpu, ...:cuda12).
 */
export function looksLikeGpuImage(image: string): boolean {
  const name = image.split('/').pop() ?? image;
  return /(^|[-_.:])(gpu|cuda)([-_.:0-9]|$)/i.test(name);
}

/** `-B /sdf,/cvmfs -B /gpfs` as Apptainer reads it: each value split at its commas. */
export function splitBinds(values: string[]): string[] {
  return values.flatMap(value => value.split(',')).filter(bind => bind !== '');
}

/** Check the image reference and the binds as user input; throws UserError. */
export function validateOndemandRequest(request: IOndemandRequest): void {
  Private.checkWord('IMAGE', request.image);
  for (const bind of request.binds) {
    Private.checkWord(`-B ${elideText(bind, 80)}`, bind);
    if (bind.includes(',')) {
      throw new UserError(
        `-B ${bind} holds a ','`,
        'split the binds at their commas first (splitBinds)'
      );
    }
    const [source, dest, mode, ...rest] = bind.split(':');
    if (
      !source.startsWith('/') ||
      (dest !== undefined && !dest.startsWith('/'))
    ) {
      throw new UserError(
        `-B ${bind} is not an absolute path`,
        'give binds as /host/path[:/container/path[:ro|rw]]'
      );
    }
    if (
      (mode !== undefined && mode !== 'ro' && mode !== 'rw') ||
      rest.length > 0
    ) {
      throw new UserError(
        `-B ${bind} has an unknown option '${[mode, ...rest].join(':')}'`,
        'use ro or rw'
      );
    }
  }
}

/**
 * Words the session's shell expands when the function runs (podman only:
 * Apptainer mounts the home and the working directory by itself).
 */
export const PODMAN_SESSION_WORDS = [
  '-v',
  '"$HOME:$HOME"',
  '-w',
  '"$PWD"',
  '-e',
  'HOME="$HOME"'
];

/**
 * The engine's command line inside the function, ending in `jupyter`: the
 * words before and after the session words, each still to be quoted.
 */
export function engineWords(request: IOndemandRequest): {
  head: string[];
  tail: string[];
} {
  if (request.engine === 'podman') {
    return Private.podmanWords(request);
  }
  const head = [
    request.engine,
    'exec',
    ...(request.gpu ? ['--nv'] : []),
    ...(request.binds.length > 0 ? ['-B', request.binds.join(',')] : []),
    request.image,
    'jupyter'
  ];
  return { head, tail: [] };
}

/** The whole script. */
export function renderOndemandScript(request: IOndemandRequest): string {
  validateOndemandRequest(request);
  const { head, tail } = engineWords(request);
  const session = request.engine === 'podman' ? PODMAN_SESSION_WORDS : [];
  const command = [
    ...head.map(word => shQuote(word)),
    ...session,
    ...tail.map(word => shQuote(word))
  ].join(' ');
  return [
    '# Written by `mlc hub ondemand-script` (jupyterlab-ml-containers). Source it in an',
    '# Open OnDemand "custom image" Jupyter session: `jupyter ...` then runs in the image.',
    // A set -e session must survive there being no alias to remove.
    'unalias jupyter 2>/dev/null || true',
    'jupyter() {',
    `    ${command} "$@"`,
    '}',
    ''
  ].join('\n');
}

namespace Private {
  /**
   * The one rule for values passed to another program (core/argv.ts, as the
   * runner's catalogue check): not empty, no control character (a newline
   * would end the function's line), never taken for an option.
   */
  export function checkWord(what: string, value: string): void {
    const problem = argumentProblem(value);
    if (problem) {
      throw new UserError(
        `${what} ${problem}`,
        value.startsWith('-')
          ? 'pass the image path or reference first'
          : `pass ${what} as one word without newlines or tabs`
      );
    }
  }

  /**
   * Rootless podman as Apptainer behaves by default: the session's home
   * and working directory mounted at the same paths, the user's own uid
   * inside, the host's network (the session's port is on the node).
   */
  export function podmanWords(request: IOndemandRequest): {
    head: string[];
    tail: string[];
  } {
    const mounts = request.binds.flatMap(bind => {
      const [source, dest, mode] = bind.split(':');
      return [
        '-v',
        [source, dest ?? source, ...(mode ? [mode] : [])].join(':')
      ];
    });
    return {
      head: ['podman', 'run', '--rm', '--network=host', '--userns=keep-id'],
      tail: [
        ...(request.gpu ? ['--device', 'nvidia.com/gpu=all'] : []),
        ...mounts,
        request.image,
        'jupyter'
      ]
    };
  }
}
