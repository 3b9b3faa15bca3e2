/**
 * The command line that runs an env's Python inside the same image its
 * kernel runs in (issue 17): Python's own arguments are appended to it, as
 * dask-jobqueue appends `-m distributed.cli.dask_worker ...` to its `python`
 * setting. Before Python starts, the fingerprint of what the kernel ran is
 * checked (./fingerprint.ts); a worker on a changed env or image refuses in
 * one line.
 *
 * The argv is data; `workerCommandLine` makes it one sh line through the one
 * quoting module, so any path or value reaches the program unchanged.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { EnvRecord } from '../../core/envRecord';
import { hasControlCharacter, shQuote } from '../../core/quote';
import { userPathProblem } from '../../core/problemText';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { imageLabel, readBaseImage } from './base';
import { shownValue } from './directiveValue';
import { existingEnvPath, requireEnvRecord } from './existing';
import {
  envFingerprint,
  fingerprintArgument,
  fingerprintDigest,
  FINGERPRINT_CHECK_PY,
  type IFingerprint
} from './fingerprint';

/** How the image is entered. */
export const ENTRIES = ['host', 'podman', 'apptainer', 'singularity'] as const;
export type Entry = (typeof ENTRIES)[number];

export interface IWorkerCommandOptions {
  env: string;
  /** Default: `apptainer` for an env made in container mode, else `host`. */
  via?: string;
  /** podman: the image reference (default: image.json's dockerPath, else name:tag). */
  image?: string;
  /** What is appended: Python's arguments (default), or a whole command (batch jobs). */
  runs?: 'python' | 'command';
}

/** The `data` of `mlc env worker-command`'s result. */
export interface IWorkerCommand {
  env: string;
  via: Entry;
  /** The program and its arguments; append Python's own. */
  argv: string[];
  /** The same as one POSIX sh line. */
  line: string;
  /** A short digest of the fingerprint, for people. */
  fingerprint: string;
  imageName: string;
  packages: number;
}

/**
 * The shell step between the entry and the program: the kernel's
 * environment (the env's bin/ first, no user site, no PYTHONHOME or
 * PYTHONPATH), then `$1` the env's Python, `$2` the code, `$3` the
 * fingerprint, `$4` the PATH entries, the rest appended by the caller.
 */
const ENV_SH =
  'PATH="$4:$PATH"; export PATH PYTHONNOUSERSITE=1; unset PYTHONHOME PYTHONPATH; ' +
  'p=$1; c=$2; f=$3; shift 4; ';
const WORKER_SH: Record<'python' | 'command', string> = {
  // The check runs in the worker's own interpreter, which then runs what
  // was appended: one interpreter start, not two.
  python: `${ENV_SH}exec "$p" -s -c "$c" "$f" "$@"`,
  // Any command: the check in a quick interpreter of its own (-I -S), first.
  command: `${ENV_SH}"$p" -I -S -c "$c" "$f" || exit; exec "$@"`
};

/**
 * After the check, in the same interpreter: drop the fingerprint argument
 * and run what was appended as `python` would (`-m MODULE`, `-c CODE`, a
 * script); anything else (other interpreter flags, nothing) gets a fresh
 * interpreter with those arguments.
 */
const LAUNCH_PY = [
  'import os,sys,runpy',
  'del sys.argv[1]',
  'a=sys.argv[1:]',
  'if len(a)>1 and a[0]=="-m":',
  ' sys.argv=[a[1]]+a[2:];runpy.run_module(a[1],run_name="__main__",alter_sys=True)',
  'elif len(a)>1 and a[0]=="-c":',
  ' import __main__;sys.argv=["-c"]+a[2:];exec(compile(a[1],"<string>","exec"),__main__.__dict__)',
  'elif a and not a[0].startswith("-"):',
  ' sys.argv=a;sys.path[0]=os.path.dirname(os.path.abspath(a[0]));runpy.run_path(a[0],run_name="__main__")',
  'else:',
  ' os.execv(sys.executable,[sys.executable,"-s"]+a)'
].join('\n');

/**
 * Runs `podman run --name N "$@"` with the caller's stdin (an asynchronous
 * command would get /dev/null), and stops container N when the job is
 * ended (the trap runs while `wait` waits); exits with podman's status.
 */
const PODMAN_SH =
  'n="mlc-worker-${SLURM_JOB_ID:-0}-$$"; t=; ' +
  'trap \'t=1; podman stop -t 5 "$n" >/dev/null 2>&1\' TERM INT HUP; ' +
  'exec 3<&0; podman run --name "$n" "$@" <&3 3<&- & p=$!; ' +
  'wait $p; s=$?; if [ -n "$t" ]; then wait $p; s=$?; fi; exit $s';

/** The worker command of the env the options name. */
export function workerCommand(
  options: IWorkerCommandOptions,
  context: ICliContext
): IWorkerCommand {
  const envDir = existingEnvPath(options.env, context.cwd);
  const record = requireEnvRecord(envDir);
  const fingerprint = envFingerprint(envDir, record);
  const via = Private.chooseEntry(options.via, record);
  const argv = [
    ...Private.entryArgv(via, record, fingerprint, options, context),
    '/bin/sh',
    '-c',
    WORKER_SH[options.runs ?? 'python'],
    'mlc-worker',
    `${envDir}/bin/python${record.python}`,
    Private.code(options.runs ?? 'python'),
    fingerprintArgument(fingerprint),
    `${envDir}/bin:${record.basePrefix}/bin`
  ];
  return {
    env: envDir,
    via,
    argv,
    line: workerCommandLine(argv),
    fingerprint: fingerprintDigest(fingerprint),
    imageName: fingerprint.imageName,
    packages: Object.keys(fingerprint.packages).length
  };
}

/** argv as one sh command line (every word quoted where needed). */
export function workerCommandLine(argv: readonly string[]): string {
  return argv.map(word => shQuote(word)).join(' ');
}

namespace Private {
  /** The `-c` code, one line: each part exec'd in a namespace of its own (a JSON string is a Python string literal too). */
  export function code(runs: 'python' | 'command'): string {
    const check = `exec(${JSON.stringify(FINGERPRINT_CHECK_PY)},{})`;
    return runs === 'python'
      ? `${check};exec(${JSON.stringify(LAUNCH_PY)},{})`
      : check;
  }

  export function chooseEntry(
    raw: string | undefined,
    record: EnvRecord
  ): Entry {
    if (raw === undefined) {
      return record.mode === 'container' ? 'apptainer' : 'host';
    }
    if (!(ENTRIES as readonly string[]).includes(raw)) {
      throw new UserError(
        `unknown --via "${raw.slice(0, 40)}"`,
        `use one of: ${ENTRIES.join(', ')}`
      );
    }
    return raw as Entry;
  }

  export function entryArgv(
    via: Entry,
    record: EnvRecord,
    fingerprint: IFingerprint,
    options: IWorkerCommandOptions,
    context: ICliContext
  ): string[] {
    if (via === 'host') {
      return [];
    }
    if (via === 'apptainer' || via === 'singularity') {
      const image = options.image ?? record.containerImage;
      if (!image) {
        throw new UserError(
          `the env ${fingerprint.env} records no container image`,
          'pass --image the image (e.g. the CVMFS sandbox path), or --via host'
        );
      }
      Private.checkValue('--image', image);
      // A path (a SIF file, a sandbox on CVMFS) must be there; a URI
      // (docker://, oras://) is the engine's to resolve.
      if (!/^[a-z]+:\/\//.test(image) && !fs.existsSync(image)) {
        throw new UserError(
          `the image ${shownValue(image)} is gone`,
          'pass --image the image the env runs in now, or make the env again on it'
        );
      }
      return [
        via,
        'exec',
        ...(record.bindPaths ?? []).flatMap(bind => ['--bind', bind]),
        image
      ];
    }
    const reference = options.image ?? Private.imageReference(record);
    Private.checkValue('--image', reference);
    const home = context.env.HOME;
    if (!home || userPathProblem(home) || !path.isAbsolute(home)) {
      throw new UserError(
        'HOME is not set to an absolute path, so the worker cannot mount it',
        'set HOME'
      );
    }
    const mounts = [home];
    if (!Private.within(fingerprint.env, home)) {
      mounts.push(fingerprint.env);
    }
    // Rootless podman keeps the user's identity as the runner does
    // (src/cli/runner/container.ts): root inside is the user outside.
    // Its container lives under conmon, outside the job's processes: when the
    // batch system ends the job (scancel, walltime: SIGTERM), PODMAN_SH stops
    // the container by name, or it would outlive the job.
    return [
      '/bin/sh',
      '-c',
      PODMAN_SH,
      'mlc-podman',
      '--rm',
      '--network',
      'host',
      ...mounts.flatMap(mount => ['-v', `${mount}:${mount}`]),
      '-e',
      `HOME=${home}`,
      '-w',
      home,
      reference
    ];
  }

  /** The image reference image.json names: its registry path, else name:tag. */
  export function imageReference(record: EnvRecord): string {
    const image = readBaseImage(record.basePrefix);
    if (!image) {
      throw new UserError(
        `the base ${record.basePrefix} has no image.json naming its image`,
        'pass --image REFERENCE'
      );
    }
    return image.dockerPath || imageLabel(image);
  }

  /** A value that becomes one argument of podman or apptainer: never an option of theirs. */
  export function checkValue(flag: string, value: string): void {
    if (!value || value.startsWith('-') || hasControlCharacter(value)) {
      throw new UserError(
        `${flag} "${shownValue(value)}" is not a usable image`,
        'give an image path or reference (no leading "-", no control characters)'
      );
    }
  }

  export function within(inner: string, outer: string): boolean {
    return (
      inner === outer ||
      inner.startsWith(outer.endsWith('/') ? outer : `${outer}/`)
    );
  }
}
