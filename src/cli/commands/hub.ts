/**
 * `mlc hub ondemand-script`: what a facility's Jupyter service needs from
 * the image, here the script an Open OnDemand "custom image" session sources.
 */
import { Option, type Command } from 'commander';
import type { ICliContext } from '../context';
import { findEngine } from '../hub/findEngine';
import {
  looksLikeGpuImage,
  ONDEMAND_ENGINES,
  renderOndemandScript,
  splitBinds,
  type OndemandEngine
} from '../hub/ondemandScript';
import { writeScriptFile } from '../hub/writeScript';

export function registerHubCommands(
  program: Command,
  context: ICliContext
): void {
  const hub = program
    .command('hub')
    .description("what the facilities' Jupyter services need from the image");

  hub
    .command('ondemand-script')
    .description(
      'write the script an Open OnDemand "custom image" session sources: a `jupyter` function that runs the image'
    )
    .argument(
      '<image>',
      'the image: a .sif file or unpacked directory (Apptainer), or a reference (podman)'
    )
    .option(
      '-B, --bind <paths>',
      'bind paths, e.g. /sdf,/cvmfs (repeatable)',
      Private.collect,
      []
    )
    .addOption(
      new Option(
        '--engine <engine>',
        'the container engine (default: the first on PATH)'
      ).choices(ONDEMAND_ENGINES)
    )
    .option(
      '--gpu',
      'pass the GPUs in (--nv) (default: when the image name says gpu or cuda)'
    )
    .option('--no-gpu', 'do not pass the GPUs in')
    .option(
      '-o, --output <file>',
      'write the script to this file (default: print it)'
    )
    .allowExcessArguments(false)
    .addHelpText('after', Private.HELP)
    .action(
      (
        image: string,
        options: {
          bind: string[];
          engine?: OndemandEngine;
          gpu?: boolean;
          output?: string;
        }
      ) => {
        const engine = options.engine ?? findEngine(context.env.PATH ?? '');
        const request = {
          engine,
          image,
          binds: splitBinds(options.bind),
          gpu: options.gpu ?? looksLikeGpuImage(image)
        };
        const script = renderOndemandScript(request);
        if (options.output === undefined) {
          context.reporter.result(
            'hub ondemand-script',
            { ...request, script },
            script.trimEnd()
          );
          return;
        }
        const file = writeScriptFile(options.output, script, context.cwd);
        context.reporter.result(
          'hub ondemand-script',
          { ...request, script, file },
          `wrote ${file}; in the session's commands: source ${file}`
        );
      }
    );
}

namespace Private {
  export function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
  }

  export const HELP = `
The session sources the script, then runs \`jupyter lab ...\` as usual:
  apptainer/singularity: <engine> exec [--nv] [-B binds] IMAGE jupyter "$@"
  podman: podman run --rm --network=host --userns=keep-id -v "$HOME:$HOME" -w "$PWD"
          -e HOME="$HOME" [--device nvidia.com/gpu=all] [-v bind...] IMAGE jupyter "$@"
Example (SLAC): mlc hub ondemand-script /sdf/group/ml/ml-torch-gpu.sif -B /sdf,/cvmfs -o ~/ml-jupyter.sh
`;
}
