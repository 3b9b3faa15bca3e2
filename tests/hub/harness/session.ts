/**
 * A session's container as the hub's SlurmSpawner job runs it in the BNL
 * shape (tests/hub/scaleOutPodman.test.ts, bench/scale-out.mjs --via
 * podman): rootless podman with keep-id, the home mounted as the working
 * directory, the host's network, and Slurm's clients bound in read-only.
 */

/** Slurm's clients and their libraries, bound read-only into the session's container (as sites bind them). */
export const SLURM_CLIENT_PATHS = [
  '/usr/bin/sbatch',
  '/usr/bin/squeue',
  '/usr/bin/scancel',
  '/usr/lib/x86_64-linux-gnu/slurm-wlm',
  '/usr/lib/x86_64-linux-gnu/libmunge.so.2'
];

/** What `sessionRunArgs` puts in the container. */
export interface ISessionContainer {
  /** The user's home: mounted at the same path and the working directory. */
  home: string;
  /** Paths bound read-only at the same path. */
  readOnly: string[];
  /** The container's environment. */
  env: Record<string, string>;
  image: string;
  /** The command and its arguments, run in the image. */
  command: string[];
}

/** The arguments of `podman run` that runs `command` in a session's container. */
export function sessionRunArgs(session: ISessionContainer): string[] {
  return [
    'run',
    '--rm',
    '--network=host',
    '--userns=keep-id',
    '-v',
    `${session.home}:${session.home}`,
    '-w',
    session.home,
    ...session.readOnly.flatMap(bind => ['-v', `${bind}:${bind}:ro`]),
    ...Object.entries(session.env).flatMap(([name, value]) => [
      '-e',
      `${name}=${value}`
    ]),
    session.image,
    ...session.command
  ];
}
