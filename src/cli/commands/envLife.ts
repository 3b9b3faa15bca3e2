/**
 * `mlc env install/uninstall/history/rollback/export/rebase`: the env's life
 * after create (docs/architecture.md, "Env life"). This file owns the
 * command line and the human wording; the work is in ../env/.
 */
import type { Command } from 'commander';
import {
  shadowText,
  type IEnvInstallResult,
  type IPackageChange
} from '../../core/envLife';
import { shQuote } from '../../core/quote';
import type { ICliContext } from '../context';
import { envHistory, rollbackEnv } from '../env/rollback';
import { exportEnv } from '../env/exportLock';
import {
  installCondaPackages,
  uninstallCondaPackages
} from '../env/condaInstall';
import { installPackages, uninstallPackages } from '../env/install';
import { rebaseEnv } from '../env/rebase';
import { UserError } from '../errors';
import { fsUserError } from '../fs/errors';

export function registerEnvLifeCommands(
  env: Command,
  context: ICliContext
): void {
  const reporter = context.reporter;

  env
    .command('install')
    .description(
      "install packages into an env with its own pip; the image's packages are kept (constraints)"
    )
    .argument('<env>', 'the env (its path)')
    .argument(
      '<specs...>',
      'pip requirement specs (e.g. requests "numpy<2") or .whl paths; with --conda, conda match specs after -- (e.g. -- "numpy>=1.26")'
    )
    .option(
      '--dry-run',
      'show what would be installed, upgraded or shadowed; change nothing'
    )
    .option(
      '--allow-image-override',
      "let the env hold other versions of the image's packages (they shadow the image's)"
    )
    .option(
      '--conda',
      "use the image's conda installer (micromamba, mamba or conda in the image); specs are conda match specs, after --"
    )
    .option(
      '-c, --channel <channel>',
      'with --conda: a channel to install from (repeatable; replaces the configured ones)',
      Private.collect,
      []
    )
    .action(
      async (
        prefix: string,
        specs: string[],
        flags: {
          dryRun?: boolean;
          allowImageOverride?: boolean;
          conda?: boolean;
          channel: string[];
        }
      ) => {
        Private.channelsNeedConda(flags.conda, flags.channel);
        const options = {
          prefix,
          specs,
          dryRun: flags.dryRun === true,
          allowImageOverride: flags.allowImageOverride === true
        };
        const result = await Private.safely(`installing into ${prefix}`, () =>
          flags.conda
            ? installCondaPackages(
                { ...options, channels: flags.channel },
                context
              )
            : installPackages(options, context)
        );
        reporter.result('env install', result, () =>
          Private.installLines(result)
        );
        if (result.refused) {
          throw new UserError(
            result.refused,
            "keep the image's versions, or pass --allow-image-override to install them into the env anyway",
            1
          );
        }
      }
    );

  env
    .command('uninstall')
    .description("uninstall packages the env installed (never the image's)")
    .argument('<env>', 'the env (its path)')
    .argument('<names...>', 'package names')
    .option('--dry-run', 'show what would be removed; change nothing')
    .option(
      '--conda',
      "use the image's conda installer (for packages the env installed with --conda); names after --"
    )
    .action(
      async (
        prefix: string,
        names: string[],
        flags: { dryRun?: boolean; conda?: boolean }
      ) => {
        const options = { prefix, names, dryRun: flags.dryRun === true };
        const result = await Private.safely(
          `uninstalling from ${prefix}`,
          () =>
            flags.conda
              ? uninstallCondaPackages(options, context)
              : uninstallPackages(options, context)
        );
        reporter.result('env uninstall', result, () =>
          Private.installLines(result)
        );
      }
    );

  env
    .command('history')
    .description(
      "list the env's revisions (every create, install, uninstall, rollback, rebase)"
    )
    .argument('<env>', 'the env (its path)')
    .action((prefix: string) => {
      const result = Private.safelySync(
        `reading the history of ${prefix}`,
        () => envHistory(prefix, context)
      );
      for (const line of result.unreadable) {
        reporter.warning(`a revision file was refused: ${line}`);
      }
      reporter.result('env history', result, () =>
        [
          ...result.revisions.map(revision => {
            const changes = revision.changes.length
              ? revision.changes.map(Private.changeText).join(', ')
              : `${revision.pip.length} pip package(s)${revision.conda.length ? `, ${revision.conda.length} conda package(s)` : ''}`;
            return `${String(revision.number).padStart(3)}  ${revision.time}  ${revision.command}${revision.args.length ? ` ${revision.args.join(' ')}` : ''}  (${changes})${revision.image.reference ? `  on ${revision.image.reference}` : ''}`;
          }),
          result.revisions.length === 0
            ? 'No revisions recorded (an env made before mlc kept them).'
            : result.matchesCurrent
              ? `The env is at revision ${result.current}.`
              : `The env's packages differ from revision ${result.current} (changed outside mlc, or a change did not finish); mlc env rollback ${shQuote(result.prefix, 'always')} N restores one.`
        ].join('\n')
      );
    });

  env
    .command('rollback')
    .description(
      "bring the env's packages back to revision N (as mlc env history lists them)"
    )
    .argument('<env>', 'the env (its path)')
    .argument('<revision>', 'the revision number')
    .action(async (prefix: string, revision: string) => {
      const result = await Private.safely(`rolling back ${prefix}`, () =>
        rollbackEnv({ prefix, revision }, context)
      );
      reporter.result('env rollback', result, () =>
        result.changes.length
          ? [
              `Rolled ${result.prefix} back to revision ${result.target} (now revision ${result.revision}):`,
              ...result.changes.map(change => `  ${Private.changeText(change)}`)
            ].join('\n')
          : `${result.prefix} already holds revision ${result.target}'s packages`
      );
    });

  env
    .command('export')
    .description(
      'write a lock file of the env (image, Python, pins) to recreate it: mlc env create PATH --from FILE'
    )
    .argument('<env>', 'the env (its path)')
    .option(
      '-o, --output <file>',
      'write the lock file here (default: print it)'
    )
    .action((prefix: string, flags: { output?: string }) => {
      const result = Private.safelySync(`exporting ${prefix}`, () =>
        exportEnv(
          {
            prefix,
            ...(flags.output !== undefined ? { output: flags.output } : {})
          },
          context
        )
      );
      reporter.result('env export', result, () =>
        result.file
          ? `Wrote ${result.file} (${result.lock.pip.length} pip pin(s), ${result.lock.conda.length} conda pin(s)); recreate with: mlc env create PATH --from ${shQuote(result.file, 'always')}`
          : JSON.stringify(result.lock, null, 1)
      );
    });

  env
    .command('rebase')
    .description(
      'rebuild the env beside it on the image as it is now (after an image update) and swap it in whole; the old state stays as the previous revision'
    )
    .argument('<env>', 'the env (its path)')
    .action(async (prefix: string) => {
      const result = await Private.safely(`rebasing ${prefix}`, () =>
        rebaseEnv({ prefix }, context)
      );
      reporter.result(
        'env rebase',
        result,
        `Rebased ${result.prefix} on ${result.to.reference || 'the current image'}${result.to.buildDate ? ` (built ${result.to.buildDate})` : ''}: ${result.imported.length} module(s) import, pip check: ${result.pipCheck}; the old state is revision ${result.previous} (mlc env rollback ENV ${result.previous} brings it back)`
      );
    });
}

namespace Private {
  export function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
  }

  export function channelsNeedConda(
    conda: boolean | undefined,
    channels: string[]
  ): void {
    if (!conda && channels.length) {
      throw new UserError(
        '--channel is for conda packages',
        'add --conda, or leave out --channel for pip packages'
      );
    }
  }

  export async function safely<T>(
    action: string,
    work: () => Promise<T>
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw fsUserError(error, action);
    }
  }

  export function safelySync<T>(action: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw fsUserError(error, action);
    }
  }

  export function changeText(change: IPackageChange): string {
    switch (change.kind) {
      case 'install':
        return `+ ${change.name} ${change.to}`;
      case 'remove':
        return `- ${change.name} ${change.from}`;
      default:
        return `${change.kind} ${change.name} ${change.from} -> ${change.to}`;
    }
  }

  export function installLines(result: IEnvInstallResult): string {
    const verb = result.dryRun ? 'Would change' : 'Changed';
    const lines = result.changes.length
      ? [
          `${verb} in ${result.prefix}:`,
          ...result.changes.map(change => `  ${changeText(change)}`)
        ]
      : [`Nothing to change in ${result.prefix}: all is installed already.`];
    for (const shadow of result.shadowed) {
      lines.push(`  shadows the image: ${shadowText(shadow)}`);
    }
    if (result.revision !== null) {
      lines.push(`Recorded as revision ${result.revision}.`);
    }
    if (result.logFile) {
      lines.push(`The installer's output: ${result.logFile}`);
    }
    return lines.join('\n');
  }
}
