/**
 * The laptop verbs (the successor of the seed's run-ml_container.sh):
 * `mlc images / packages / info / pull-limit / setup / enter / status /
 * update / jupyter`. Output mode comes from the program-level --json.
 * Each action loads its own work modules (`await import`): registering the
 * verbs sets up none of them, so `mlc enter` does not build the
 * catalogue's schemas nor `mlc info` the state file's.
 */
import type { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import {
  ENGINES,
  WORK_STATE_FILE,
  type Engine
} from '../../core/runner/workNames';
import type { ICliContext } from '../context';
import { UserError } from '../errors';
import type { GpuRequest } from '../runner/gpu';

const CATALOGUE_HELP =
  'catalogue file (default: $MLC_CATALOGUE, then ~/.config/mlc/catalogue.json)';

export function registerRunnerCommands(
  program: Command,
  context: ICliContext
): void {
  const { reporter } = context;
  program
    .command('images [name]')
    .description('list the ML images (a bare name lists every tag of it)')
    .option('--catalogue <file>', CATALOGUE_HELP)
    .action(async (name: string | undefined, flags: { catalogue?: string }) => {
      const { entryKey, matchImages, noImageProblem } =
        await import('../../core/runner/catalogue');
      const { loadCatalogue } = await import('../runner/catalogueSource');
      const catalogue = loadCatalogue(
        flags.catalogue,
        context.env,
        context.cwd
      );
      let entries = catalogue.entries;
      if (name !== undefined) {
        const match = matchImages(entries, name);
        if (match.kind === 'none') {
          throw new UserError(
            noImageProblem(name, match.names),
            "run 'mlc images' to see them"
          );
        }
        entries = match.entries;
      }
      const width = Math.max(...entries.map(e => entryKey(e).length));
      const human = entries
        .map(
          e =>
            `${entryKey(e).padEnd(width)}  ${e.flavour}  Python ${e.python}  ${e.reference}`
        )
        .join('\n');
      reporter.result(
        'images',
        { catalogue: catalogue.file, images: entries },
        human
      );
    });

  program
    .command('packages <image>')
    .description('list the packages in an image')
    .option('--catalogue <file>', CATALOGUE_HELP)
    .action(async (image: string, flags: { catalogue?: string }) => {
      const { loadCatalogue, oneImage } =
        await import('../runner/catalogueSource');
      const { formatPackageListing, listPackages } =
        await import('../runner/packages');
      const { entry } = oneImage(
        loadCatalogue(flags.catalogue, context.env, context.cwd),
        image
      );
      const listing = await listPackages(context, entry);
      reporter.result('packages', listing, formatPackageListing(listing));
    });

  program
    .command('info <image>')
    .description(
      "an image's digest, compressed size, dates and labels, from its registry"
    )
    .option('--catalogue <file>', CATALOGUE_HELP)
    .action(async (image: string, flags: { catalogue?: string }) =>
      (await import('./runnerHot')).runInfo(context, image, flags.catalogue)
    );

  program
    .command('pull-limit')
    .description(
      "Docker Hub's pull limit for you (anonymous, or your docker/podman log-in)"
    )
    .action(async () => {
      const { dockerHubPullLimit } =
        await import('../runner/registry/dockerHub');
      const limit = await dockerHubPullLimit(context.env);
      const who = limit.account ? `as ${limit.account}` : 'anonymous';
      const show = (value: typeof limit.limit) =>
        value
          ? `${value.count}${value.windowSeconds !== null ? ` per ${value.windowSeconds / 3600} h` : ''}`
          : 'not given';
      const human = limit.limited
        ? `Docker Hub pull limit (${who}${limit.source ? `, ${limit.source}` : ''}): ${show(limit.remaining)} remaining of ${show(limit.limit)}`
        : `Docker Hub sets no pull limit for you (${who}): the answer carried no rate-limit headers`;
      reporter.result('pull-limit', limit, human);
    });

  const setupCommand = program
    .command('setup <image>')
    .description(
      'set up a container (or Apptainer sandbox) of the image for this directory, then enter it'
    )
    .option(
      '-f, --force',
      'replace what is set up here (the old one goes only once the new one is ready)'
    )
    .option(
      '-B, --bind <src[:dst]>',
      'also mount SRC (at DST); repeatable',
      (value: string, all: string[]) => [...all, value],
      [] as string[]
    )
    .option('--gpu <mode>', 'auto, all or none', 'auto')
    .option('--no-enter', 'set up only, do not enter')
    .option('--catalogue <file>', CATALOGUE_HELP);
  for (const engine of ENGINES) {
    setupCommand.option(`--${engine}`, `use ${engine}`);
  }
  setupCommand.action(async (image: string, flags: Record<string, unknown>) => {
    const engines: Engine[] = ENGINES.filter(e => flags[e]);
    if (engines.length > 1) {
      throw new UserError(
        `choose one engine, not ${engines.map(e => `--${e}`).join(' and ')}`,
        'e.g. --podman'
      );
    }
    const gpu = String(flags.gpu);
    if (gpu !== 'auto' && gpu !== 'all' && gpu !== 'none') {
      throw new UserError(
        `--gpu ${gpu.slice(0, 20)}: expected auto, all or none`,
        'e.g. --gpu none'
      );
    }
    const { setup } = await import('../runner/setup');
    const result = await setup(context, {
      image,
      engine: engines[0],
      force: Boolean(flags.force),
      binds: flags.bind as string[],
      gpu: gpu as GpuRequest,
      catalogue: flags.catalogue as string | undefined
    });
    const what = result.state.container
      ? `container ${result.state.container.name}`
      : `sandbox ${result.state.sandbox?.directory}`;
    const human = [
      result.reused
        ? `${result.state.image.name}:${result.state.image.tag} is already set up here (${what})`
        : `set up ${result.state.image.name}:${result.state.image.tag} with ${result.state.engine}: ${what}`,
      ...(result.retired ? [`removed the previous ${result.retired}`] : []),
      "to come back to it later, run 'mlc enter' (or 'mlc') in this directory"
    ].join('\n');
    reporter.result('setup', result, human);
    if (flags.enter !== false && !reporter.machine) {
      const { enter } = await import('../runner/enter');
      process.exitCode = await enter(result.state, [], context.env);
    }
  });

  program
    .command('enter [command...]')
    .description(
      'enter what is set up here (start it if stopped); with a command, run that instead of a shell'
    )
    .action(async (command: string[] | undefined) =>
      (await import('./runnerHot')).runEnter(context, command ?? [])
    );

  program
    .command('status')
    .description(
      'what is set up here (the seed printMe) and the packages added since'
    )
    .action(async () => {
      const { formatStatus, status } = await import('../runner/status');
      const result = status(context);
      reporter.result('status', result, formatStatus(result));
    });

  program
    .command('update')
    .description(
      'is a newer image out? with -f, move to it and reinstall what you added'
    )
    .option('-f, --force', 'update now')
    .action(async (flags: { force?: boolean }) => {
      const { update } = await import('../runner/update');
      const result = await update(context, Boolean(flags.force));
      const human = !result.updateAvailable
        ? `up to date (${result.registryDigest})`
        : result.updated
          ? [
              `updated to ${result.registryDigest}`,
              ...(result.reinstalled.conda.length +
                result.reinstalled.pip.length >
              0
                ? [
                    `reinstalled: ${[...result.reinstalled.conda, ...result.reinstalled.pip].join(' ')}`
                  ]
                : []),
              ...(result.retired
                ? [`removed the previous ${result.retired}`]
                : [])
            ].join('\n')
          : `an update exists: set up ${result.recordedDigest ?? 'unknown'}, registry ${result.registryDigest}; run 'mlc update -f'`;
      reporter.result('update', result, human);
    });

  program
    .command('jupyter')
    .description('start JupyterLab in what is set up here, on 127.0.0.1')
    .option('--port <n>', 'the port, the same inside and out', '8888')
    .action(async (flags: { port: string }) => {
      const { jupyter } = await import('../runner/jupyter');
      process.exitCode = await jupyter(context, flags.port);
    });
}

/** Whether this directory has a state file (bare `mlc` then means `mlc enter`). */
export function setUpHere(context: ICliContext): boolean {
  return fs.existsSync(path.join(context.cwd, WORK_STATE_FILE));
}
