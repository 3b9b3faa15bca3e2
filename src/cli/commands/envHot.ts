/**
 * What `mlc env list` and `mlc env create` do once their command line is
 * parsed: shared by commander's verbs (env.ts) and the hand-dispatched path
 * of these two hot verbs (../hotPath.ts), so both answer alike. This module
 * loads the work of each verb when it runs (a dynamic import: the bundle's
 * modules are set up on first use), so `env list` does not set up create's
 * modules, and on the hand-dispatched path the rest of the env group is
 * never set up.
 */
import type { IEnvProblem, IEnvSummary } from '../../core/envRecord';
import { shQuote } from '../../core/quote';
import type { ICliContext } from '../context';
import type { ICreateOptions } from '../env/create';
import { UserError } from '../errors';
import { fsUserError } from '../fs/errors';
import { writeStderr, writeStdout } from '../output';

/** `env create`'s options as commander (or the hand-dispatched path) leaves them. */
export interface ICreateFlags {
  prefix?: string;
  base?: string;
  /** Undefined unless --kernel or --no-kernel is given (commander sets no default for the pair). */
  kernel?: boolean;
  displayName?: string;
  containerImage?: string;
  bind: string[];
  printActivatePath?: boolean;
  from?: string;
  allowOtherImage?: boolean;
}

/** `mlc env list [--dir DIR]...`. */
export async function runEnvList(
  context: ICliContext,
  dirs: string[]
): Promise<void> {
  const { listEnvs } = await import('../env/list');
  const envs = safely('listing the envs', () => listEnvs(context, dirs));
  const human = envs.length
    ? envs.map(summaryLines).join('\n')
    : 'No extended envs found (mlc env create PATH makes one; --dir DIR looks in DIR).';
  context.reporter.result('env list', { envs }, human);
}

/** `mlc env create [PATH] [options]`. */
export async function runEnvCreate(
  context: ICliContext,
  positional: string | undefined,
  options: ICreateFlags
): Promise<void> {
  const reporter = context.reporter;
  if (
    positional !== undefined &&
    options.prefix !== undefined &&
    positional !== options.prefix
  ) {
    throw new UserError(
      'the env path is given twice (as an argument and with -p)',
      'give it once'
    );
  }
  const prefix = positional ?? options.prefix;
  if (prefix === undefined) {
    throw new UserError(
      'the env path is missing',
      'run: mlc env create PATH (e.g. mlc env create ~/envs/myEnv)'
    );
  }
  reporter.progress(`creating the env ${prefix}`);
  const createOptions = {
    prefix,
    ...(options.base !== undefined ? { base: options.base } : {}),
    kernel: options.kernel !== false,
    ...(options.displayName !== undefined
      ? { displayName: options.displayName }
      : {}),
    ...(options.containerImage !== undefined
      ? { containerImage: options.containerImage }
      : {}),
    bind: options.bind
  };
  const { TEMPLATES } = await import('../env/templateTexts');
  if (options.from !== undefined) {
    const from = options.from;
    return Private.createFrom(
      createOptions,
      from,
      options.allowOtherImage === true,
      context
    );
  }
  if (options.allowOtherImage) {
    throw new UserError(
      '--allow-other-image goes with --from',
      'run: mlc env create PATH --from FILE --allow-other-image'
    );
  }
  const { createEnv } = await import('../env/create');
  const result = safely(`creating the env ${prefix}`, () =>
    createEnv(createOptions, context, TEMPLATES)
  );
  const lines = [
    `Created the env ${result.name} at ${result.prefix}`,
    `  on ${result.basePrefix}${result.baseImage ? ` (${result.baseImage})` : ''}, Python ${result.python}, in ${result.elapsedMs} ms`,
    result.kernelName
      ? `  kernel: ${result.kernelName}`
      : '  no kernel registered (--no-kernel)',
    'To enter it in a new shell (bash or zsh):',
    `  source ${shQuote(result.activateScript, 'always')}`,
    'Inside it, pip install and conda-style installs (micromamba install -p ...) go into the env.'
  ];
  if (options.printActivatePath && !reporter.machine) {
    // create-newEnv-on-base.sh reads stdout; people read stderr.
    writeStderr(lines.join('\n') + '\n');
    writeStdout(result.activateScript + '\n');
    return;
  }
  reporter.result('env create', result, lines.join('\n'));
}

/**
 * Run a verb; a file-system condition left unhandled below (an odd tree:
 * ENOTDIR, ELOOP, EACCES, ...) becomes one line instead of an internal error.
 */
export function safely<T>(action: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw fsUserError(error, action);
  }
}

/** An env's lines in `env list` and `env check`. */
export function summaryLines(env: IEnvSummary): string {
  const head = `${env.name}  ${env.prefix}  (on ${env.basePrefix}${env.baseImage ? `, ${env.baseImage}` : ''}; kernel: ${env.kernelName ?? 'none'})`;
  const problems = env.problems.map(
    (problem: IEnvProblem) => `  problem: ${problem.message}; ${problem.hint}`
  );
  return [head, ...(problems.length ? problems : ['  ok'])].join('\n');
}

namespace Private {
  /** `env create PATH --from FILE`: the env, then the lock file's pins (its code loaded only here). */
  export async function createFrom(
    options: ICreateOptions,
    from: string,
    allowOtherImage: boolean,
    context: ICliContext
  ): Promise<void> {
    const [{ createFromLock }, { TEMPLATES }] = await Promise.all([
      import('../env/exportLock'),
      import('../env/templateTexts')
    ]);
    let result;
    try {
      result = await createFromLock(
        { ...options, from, allowOtherImage },
        context,
        TEMPLATES
      );
    } catch (error) {
      throw fsUserError(error, `creating the env ${options.prefix}`);
    }
    context.reporter.result(
      'env create',
      result,
      [
        `Created the env ${result.name} at ${result.prefix} from ${from}: ${result.installed.length} package(s) installed`,
        result.kernelName
          ? `  kernel: ${result.kernelName}`
          : '  no kernel registered (--no-kernel)',
        'To enter it in a new shell (bash or zsh):',
        `  source ${shQuote(result.activateScript, 'always')}`
      ].join('\n')
    );
  }
}
