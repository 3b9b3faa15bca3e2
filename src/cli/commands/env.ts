/**
 * `mlc env ...`: extended envs layered over the image's Python (docs/architecture.md,
 * "Extended env"). This file owns the command line and the human output; the
 * work is in ../env/.
 */
import { Command, Option } from 'commander';
import type {
  IEnvCheckResult,
  IEnvCheckSummary,
  IEnvProblem
} from '../../core/envRecord';
import type { ICliContext } from '../context';
import { checkEnv } from '../env/check';
import { checkWithDanglingKernels } from '../env/danglingKernels';
import { existingEnvPath } from '../env/existing';
import { kernelDataDir } from '../env/kernel';
import {
  runEnvCreate,
  runEnvList,
  safely,
  summaryLines,
  type ICreateFlags
} from './envHot';
import { registerEnvLifeCommands } from './envLife';
import { registerEnvScaleOutCommands } from './envScaleOut';
import { installScripts } from '../env/installScripts';
import { listEnvs } from '../env/list';
import { removeEnv } from '../env/remove';
import { shQuote } from '../../core/quote';
import { TEMPLATES } from '../env/templateTexts';
import { UserError } from '../errors';

export function registerEnvCommands(
  program: Command,
  context: ICliContext
): void {
  const env = program
    .command('env')
    .description(
      'create, list, check and remove extended envs layered over the image env'
    );
  const reporter = context.reporter;

  env
    .command('create')
    .description(
      'create an extended env: new packages go into it, the image env stays read-only'
    )
    .argument(
      '[prefix]',
      'directory of the new env (must not exist, or be empty)'
    )
    .option(
      '-p, --prefix <path>',
      'directory of the new env (as the seed scripts take it)'
    )
    .option(
      '--base <path>',
      'the image env to extend (default: the env mlc is installed in, else $CONDA_PREFIX)'
    )
    .option('--kernel', 'register a Jupyter kernel for the env (default)')
    .option('--no-kernel', 'do not register a Jupyter kernel')
    .option(
      '--display-name <name>',
      'the kernel\'s name in the launcher (default: "<env> (<image>)")'
    )
    .option(
      '--container-image <path>',
      'container mode: the image to re-enter the env in (default inside Apptainer: the running one)'
    )
    .option(
      '--bind <path>',
      'container mode: a bind path for re-entry (repeatable)',
      Private.collect,
      []
    )
    .option(
      '--from <file>',
      'recreate an env from a lock file written by mlc env export'
    )
    .option(
      '--allow-other-image',
      'with --from: recreate on another image than the lock file names (warns with the differences)'
    )
    .addOption(
      new Option(
        '--print-activate-path',
        'for create-newEnv-on-base.sh: print only the activation script on stdout'
      ).hideHelp()
    )
    .action(
      (positional: string | undefined, options: ICreateFlags): Promise<void> =>
        runEnvCreate(context, positional, options)
    );

  registerEnvLifeCommands(env, context);

  env
    .command('list')
    .description(
      'list the extended envs: those with a registered kernel, and those in --dir'
    )
    .option(
      '--dir <dir>',
      'also look for envs in this directory (repeatable)',
      Private.collect,
      []
    )
    .action((options: { dir: string[] }): Promise<void> =>
      runEnvList(context, options.dir)
    );

  env
    .command('check')
    .description(
      'check envs (their base, interpreter, links and kernel); --fix repairs what it can'
    )
    .argument('[prefixes...]', 'the envs (or --all)')
    .option('--all', 'check every env mlc env list shows')
    .option(
      '--dir <dir>',
      'with --all: also the envs in this directory, as mlc env list --dir (repeatable)',
      Private.collect,
      []
    )
    .option('--fix', 'repair what can be repaired')
    .option('--base <path>', 'with --fix: the new place of a base that moved')
    .action(
      (
        prefixes: string[],
        options: { all?: boolean; dir: string[]; fix?: boolean; base?: string }
      ) => {
        const fix = options.fix === true;
        const base = options.base !== undefined ? { base: options.base } : {};
        if (options.all && prefixes.length) {
          throw new UserError(
            'give env paths or --all, not both',
            'run: mlc env check --all, or mlc env check PATH...'
          );
        }
        if (options.dir.length && !options.all) {
          throw new UserError(
            '--dir goes with --all',
            'run: mlc env check --all --dir DIR, or mlc env check PATH...'
          );
        }
        if (!options.all && prefixes.length === 0) {
          throw new UserError(
            'no env to check',
            'run: mlc env check PATH..., or mlc env check --all'
          );
        }
        if (!options.all && prefixes.length === 1) {
          // One env: its result, or one line when it cannot be checked at all.
          const result = safely(`checking ${prefixes[0]}`, () =>
            Private.checkWithKernels(prefixes[0], fix, context, () =>
              checkEnv(
                { prefix: prefixes[0], fix, ...base },
                context,
                TEMPLATES
              )
            )
          );
          reporter.result('env check', result, Private.checkLines(result));
          Private.failOnProblems([result], fix);
          return;
        }
        const targets = options.all
          ? safely('listing the envs', () => listEnvs(context, options.dir))
          : prefixes.map(prefix => ({ prefix, problems: [] as IEnvProblem[] }));
        const results = targets.map(target => {
          const result = Private.checkOne(target.prefix, target.problems, () =>
            Private.checkWithKernels(target.prefix, fix, context, () =>
              checkEnv(
                { prefix: target.prefix, fix, ...base },
                context,
                TEMPLATES
              )
            )
          );
          reporter.result('env check', result, Private.checkLines(result));
          return result;
        });
        const left = results.filter(result => result.problems.length).length;
        reporter.result(
          'env check-summary',
          { envs: results } satisfies IEnvCheckSummary,
          `${results.length} env(s) checked, ${left} with problems left`
        );
        Private.failOnProblems(results, fix);
      }
    );

  env
    .command('remove')
    .description(
      'remove an env made by mlc env create, and unregister its kernel'
    )
    .argument('<prefix>', 'the env')
    .action((prefix: string) => {
      const result = safely(`removing ${prefix}`, () =>
        removeEnv(prefix, context)
      );
      reporter.result(
        'env remove',
        result,
        `Removed ${result.prefix}${result.kernelName ? ` and its kernel ${result.kernelName}` : ''}`
      );
    });

  env
    .command('install-scripts')
    .description(
      "write create-newEnv-on-base.sh (the seed's entry point) into a directory, e.g. / in an image build"
    )
    .requiredOption('--dir <dir>', 'where to write it')
    .option(
      '--base <path>',
      'the image env it creates envs on (default: the env mlc is installed in)'
    )
    .option(
      '--plan',
      'also write into the base what every env of it needs, so that env create walks nothing (image build)'
    )
    .action((options: { dir: string; base?: string; plan?: boolean }) => {
      const result = safely(`writing the scripts into ${options.dir}`, () =>
        installScripts(
          {
            dir: options.dir,
            ...(options.base !== undefined ? { base: options.base } : {}),
            plan: options.plan === true
          },
          context,
          TEMPLATES
        )
      );
      const plan = result.plan ? `; the env plan: ${result.plan}` : '';
      reporter.result(
        'env install-scripts',
        result,
        `Wrote ${result.script} (creates envs on ${result.basePrefix})${plan}; users run: source ${shQuote(result.script, 'always')} -p myEnv`
      );
    });

  registerEnvScaleOutCommands(env, context);
}

namespace Private {
  /** One env's check, with the kernels left dangling at its path (unregistered with --fix). */
  export function checkWithKernels(
    prefix: string,
    fix: boolean,
    context: ICliContext,
    check: () => IEnvCheckResult
  ): IEnvCheckResult {
    const envDir = existingEnvPath(prefix, context.cwd);
    let dataDir: string | null;
    try {
      dataDir = kernelDataDir(context);
    } catch {
      dataDir = null; // no data dir: no kernels either
    }
    return checkWithDanglingKernels(envDir, dataDir, fix, check);
  }

  export function checkLines(result: IEnvCheckResult): string {
    return [
      ...result.fixed.map(problem => `fixed: ${problem.message}`),
      ...summaryLines(result).split('\n')
    ].join('\n');
  }

  /**
   * Check one env of several: an env that cannot be checked at all (gone,
   * not an env) is a result with the problem `not-checked`, so the others
   * are still checked.
   */
  export function checkOne(
    prefix: string,
    known: IEnvProblem[],
    check: () => IEnvCheckResult
  ): IEnvCheckResult {
    try {
      return safely(`checking ${prefix}`, check);
    } catch (error) {
      if (!(error instanceof UserError)) {
        throw error;
      }
      const problem = {
        code: 'not-checked',
        message: error.message,
        fixable: false,
        hint: error.hint ?? ''
      };
      return {
        name: '',
        prefix,
        basePrefix: '',
        baseImage: '',
        python: '',
        createdAt: '',
        kernelName: null,
        problems: [...known, problem],
        fixed: []
      };
    }
  }

  /** Exit 1 when a problem is left in any env (the results above have the details). */
  export function failOnProblems(
    results: IEnvCheckResult[],
    fix: boolean
  ): void {
    const troubled = results.filter(result => result.problems.length);
    if (troubled.length === 0) {
      return;
    }
    const count = troubled.reduce(
      (sum, result) => sum + result.problems.length,
      0
    );
    const fixable = troubled.some(result =>
      result.problems.some(problem => problem.fixable)
    );
    const where =
      troubled.length === 1
        ? `the env ${troubled[0].prefix}`
        : `${troubled.length} envs`;
    const hint =
      fix || !fixable
        ? 'see the hints above'
        : `run: mlc env check ${troubled.map(result => shQuote(result.prefix, 'always')).join(' ')} --fix`;
    throw new UserError(`${count} problem(s) in ${where}`, hint, 1);
  }

  export function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
  }
}
