/**
 * `mlc image fix-rpath | fix-root-config | banner`: the build-time repairs
 * the seed's recipes did with sed, and the start-up banner.
 */
import type { Command } from 'commander';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import { fixRpath, type IFixRpathResult } from '../image/fixRpath';
import { installBanner, type IBannerOptions } from '../image/banner';
import { imageLabels } from '../image/labels';
import { fixRootConfig } from '../image/rootConfig';
import { absolutePath, existingDirectory } from '../kernels/prefixArg';
import { visibleText } from '../../core/visibleText';

export function registerImageRepairCommands(
  image: Command,
  context: ICliContext
): void {
  image
    .command('fix-rpath')
    .description(
      'drop build and install locations from the RPATH/RUNPATH of the ELF files under a prefix'
    )
    .requiredOption('--prefix <dir>', 'the image env prefix, e.g. /opt/conda')
    .option(
      '--drop <dir>',
      'drop entries equal to or below this directory (repeatable; default: the prefix and /home/conda/feedstock_root)',
      Private.collect,
      []
    )
    .option('--dry-run', 'list what would change; write nothing')
    .allowExcessArguments(false)
    .addHelpText('after', Private.FIX_RPATH_HELP)
    .action((flags: { prefix: string; drop: string[]; dryRun?: boolean }) => {
      const prefix = existingDirectory(
        '--prefix',
        flags.prefix,
        context.cwd,
        'pass the image env prefix, e.g. /opt/conda'
      );
      const drop = flags.drop.map(dir => Private.dropDir(dir, context.cwd));
      const result = fixRpath({
        prefix,
        dryRun: Boolean(flags.dryRun),
        ...(drop.length ? { drop } : {})
      });
      for (const damaged of result.unloadable) {
        context.reporter.warning(
          `${Private.shown(damaged.file)}: ${damaged.message}; it cannot be loaded, so it was left as it was`
        );
      }
      if (!context.reporter.machine) {
        for (const problem of result.problems) {
          context.reporter.error(
            `${Private.shown(problem.file)}: ${problem.message}`
          );
        }
      }
      context.reporter.result(
        'image fix-rpath',
        result,
        Private.fixRpathText(result)
      );
      if (result.problems.length > 0) {
        throw new UserError(
          `${result.problems.length} file(s) under ${prefix} could not be repaired and were left as they were`,
          'see the lines above',
          1
        );
      }
    });

  image
    .command('fix-root-config')
    .description(
      "make `root-config --libs` name the env's own libz (ROOT from conda-forge links it)"
    )
    .requiredOption(
      '--prefix <dir>',
      'the image env prefix holding bin/root-config, e.g. /opt/conda'
    )
    .allowExcessArguments(false)
    .action((flags: { prefix: string }) => {
      const prefix = existingDirectory(
        '--prefix',
        flags.prefix,
        context.cwd,
        'pass the image env prefix, e.g. /opt/conda'
      );
      const result = fixRootConfig(prefix);
      context.reporter.result(
        'image fix-root-config',
        result,
        result.changed
          ? `${result.script}: ${result.reason}`
          : `${result.script}: unchanged (${result.reason})`
      );
    });

  image
    .command('banner')
    .description(
      "write the image's start-up banner and the hooks that show it to interactive shells"
    )
    .requiredOption('--prefix <dir>', 'the image env prefix, e.g. /opt/conda')
    .option('--root <dir>', 'the root whose etc/ gets the shell hooks', '/')
    .option(
      '--image <file>',
      "image.json to take the facts from (default: the python3 kernel spec's)"
    )
    .option(
      '--package-list <path>',
      'the package list as the image sees it',
      '/list-of-pkgs-inside.txt'
    )
    .option(
      '--create-script <path>',
      'create-newEnv-on-base.sh as the image sees it',
      '/create-newEnv-on-base.sh'
    )
    .option(
      '--apptainer-env-dir <dir>',
      'also write the Apptainer env file there (e.g. /.singularity.d/env)'
    )
    .allowExcessArguments(false)
    .action(
      // The options' own fields, as given: the paths are resolved below.
      (flags: IBannerOptions) => {
        const hint = 'pass the image env prefix, e.g. /opt/conda';
        const result = installBanner({
          prefix: existingDirectory(
            '--prefix',
            flags.prefix,
            context.cwd,
            hint
          ),
          root: existingDirectory(
            '--root',
            flags.root,
            context.cwd,
            "pass the root whose etc/ gets the hooks, e.g. '/'"
          ),
          packageList: flags.packageList,
          createScript: flags.createScript,
          ...(flags.image !== undefined
            ? { image: absolutePath('--image', flags.image, context.cwd) }
            : {}),
          ...(flags.apptainerEnvDir !== undefined
            ? {
                apptainerEnvDir: absolutePath(
                  '--apptainer-env-dir',
                  flags.apptainerEnvDir,
                  context.cwd
                )
              }
            : {})
        });
        context.reporter.result(
          'image banner',
          result,
          [
            ...result.written.map(file => `wrote ${file}`),
            ...result.hooked.map(file => `hooked ${file}`)
          ].join('\n')
        );
      }
    );

  image
    .command('labels')
    .description(
      "print the image.json facts as OCI labels, one KEY=VALUE a line (for 'podman build --label')"
    )
    .requiredOption(
      '--image <file>',
      "the image.json from 'mlc image manifest', e.g. /image.json"
    )
    .allowExcessArguments(false)
    .action((flags: { image: string }) => {
      const labels = imageLabels(
        absolutePath('--image', flags.image, context.cwd)
      );
      context.reporter.result(
        'image labels',
        labels,
        Object.entries(labels)
          .map(([key, value]) => `${key}=${value}`)
          .join('\n')
      );
    });
}

namespace Private {
  export const FIX_RPATH_HELP = `
Rule: an absolute entry is dropped when it is a --drop directory or lies
below one, or when a path component is one only conda-build's build envs
have (_build_env, _h_env*, conda-bld, build_artifacts); empty entries are
dropped; $ORIGIN-relative and all other entries are kept. The string is
rewritten in place with the same length (NUL-padded), one file at a time
through a renamed copy. 32-bit, big-endian and non-ELF files are skipped;
a damaged ELF file cannot be loaded, so it gets a warning, is left as it was
and does not fail the run. Exit 1 only when a file that needed the repair
did not get it.`;

  export function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
  }

  export function dropDir(value: string, cwd: string): string {
    if (!value.startsWith('/')) {
      throw new UserError(
        `--drop ${value} is not an absolute path`,
        'search path entries are absolute: pass e.g. --drop /opt/conda'
      );
    }
    const dir = absolutePath('--drop', value, cwd);
    if (dir === '/') {
      throw new UserError(
        '--drop / would drop every absolute entry',
        'pass the build or install directory, e.g. --drop /opt/conda'
      );
    }
    return dir;
  }

  /** A file name for a one-line message: quoted as JSON when it holds a newline or control character. */
  export function shown(file: string): string {
    return visibleText(file) === file ? file : JSON.stringify(file);
  }

  export function fixRpathText(result: IFixRpathResult): string {
    const verb = result.dryRun ? 'would change' : 'changed';
    const lines = result.changes.map(
      change =>
        `${verb} ${shown(change.file)}: ${change.tag} '${change.before}' -> '${change.after}'`
    );
    for (const skip of result.skipped) {
      lines.push(`skipped ${shown(skip.file)}: ${skip.reason}`);
    }
    const files = new Set(result.changes.map(change => change.file)).size;
    lines.push(
      `${result.elfFiles} ELF files inspected under ${result.prefix}; ${files} ${result.dryRun ? 'would be repaired' : 'repaired'}, ${result.skipped.length} skipped, ${result.problems.length} failed${result.unloadable.length ? `, ${result.unloadable.length} damaged and left as they were` : ''}`
    );
    return lines.join('\n');
  }
}
