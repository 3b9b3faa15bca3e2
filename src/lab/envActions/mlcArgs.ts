/**
 * The `mlc env ...` argument lists the extension sends (over the wire or in
 * the command to paste): the one place that knows the CLI's spelling.
 */

export interface ICreateRequest {
  prefix: string;
  registerKernel: boolean;
  /** Empty: mlc's default display name. */
  displayName: string;
}

export function createArgs(request: ICreateRequest): string[] {
  const args = ['env', 'create', request.prefix];
  if (!request.registerKernel) {
    args.push('--no-kernel');
  } else if (request.displayName.trim()) {
    args.push('--display-name', request.displayName.trim());
  }
  return args;
}

/** The envs with registered kernels, and those in `dirs` (envs made with --no-kernel). */
export function listArgs(dirs: string[] = []): string[] {
  return ['env', 'list', ...dirs.flatMap(dir => ['--dir', dir])];
}

/** Check one env; `fix` repairs what it can. (mlc exits 1 while problems remain.) */
export function checkArgs(prefix: string, fix = false): string[] {
  return ['env', 'check', prefix, ...(fix ? ['--fix'] : [])];
}

/**
 * Check every env in one run: those `env list` finds with the same `dirs`.
 * mlc reports one `env check` result per env, then `env check-summary`.
 */
export function checkAllArgs(dirs: string[] = []): string[] {
  return ['env', 'check', '--all', ...dirs.flatMap(dir => ['--dir', dir])];
}

/** Repair several envs in one run (each reported as by `checkAllArgs`). */
export function fixArgs(prefixes: readonly string[]): string[] {
  return ['env', 'check', ...prefixes, '--fix'];
}

export function removeArgs(prefix: string): string[] {
  return ['env', 'remove', prefix];
}

export interface IInstallRequest {
  prefix: string;
  /** What to install, as the user typed them (each one spec). */
  specs: readonly string[];
  installer: 'pip' | 'conda';
  /** conda only: the channel to install from ('' for the installer's own). */
  channel: string;
  /** Only say what would change (`--dry-run`: the dialog's preview). */
  dryRun: boolean;
  /** Let the env shadow image packages with other versions. */
  allowImageOverride: boolean;
}

/**
 * `env install`: the specs follow `--`, so that none is ever taken for an
 * option of mlc's (the dialog refuses a spec starting with "-" as well);
 * the channel goes as `--channel=C`, one argument, for the same reason.
 */
export function installArgs(request: IInstallRequest): string[] {
  const channel = request.channel.trim();
  return [
    'env',
    'install',
    request.prefix,
    ...(request.installer === 'conda'
      ? ['--conda', ...(channel ? [`--channel=${channel}`] : [])]
      : []),
    ...(request.dryRun ? ['--dry-run'] : []),
    ...(request.allowImageOverride ? ['--allow-image-override'] : []),
    '--',
    ...request.specs
  ];
}

export interface IUninstallRequest {
  prefix: string;
  /** The env's own packages to remove, all of one installer. */
  names: readonly string[];
  installer: 'pip' | 'conda';
  dryRun: boolean;
}

/** `env uninstall`; names follow `--`, as in installArgs. */
export function uninstallArgs(request: IUninstallRequest): string[] {
  return [
    'env',
    'uninstall',
    request.prefix,
    ...(request.installer === 'conda' ? ['--conda'] : []),
    ...(request.dryRun ? ['--dry-run'] : []),
    '--',
    ...request.names
  ];
}

export function historyArgs(prefix: string): string[] {
  return ['env', 'history', prefix];
}

export function rollbackArgs(prefix: string, revision: number): string[] {
  return ['env', 'rollback', prefix, String(revision)];
}

/** `env export` into `file` (an absolute path). */
export function exportArgs(prefix: string, file: string): string[] {
  return ['env', 'export', prefix, '-o', file];
}

export function rebaseArgs(prefix: string): string[] {
  return ['env', 'rebase', prefix];
}

/** The Scale Out form's values, as typed ('' leaves mlc's default). */
export interface IDaskConfigRequest {
  prefix: string;
  cores: string;
  memory: string;
  walltime: string;
  queue: string;
  account: string;
  /** Also make it the Dask panel's New (`--panel`). */
  panel: boolean;
}

/**
 * `env dask-config` for Slurm. Each value goes as `--flag=value`, one
 * argument, so that none is ever taken for an option of mlc's.
 */
export function daskConfigArgs(request: IDaskConfigRequest): string[] {
  const args = ['env', 'dask-config', request.prefix, '--scheduler', 'slurm'];
  for (const [flag, value] of [
    ['--cores', request.cores],
    ['--memory', request.memory],
    ['--walltime', request.walltime],
    ['--queue', request.queue],
    ['--account', request.account]
  ] as const) {
    if (value.trim()) {
      args.push(`${flag}=${value.trim()}`);
    }
  }
  if (request.panel) {
    args.push('--panel');
  }
  return args;
}
