/**
 * The `mlc` command tree: the program's own options and every verb of every
 * room, built without running anything, so `main` runs it and
 * scripts/cli-reference.mjs writes docs/cli.md from it.
 */
import { Command } from 'commander';
import type { ICliContext } from './context';
import { registerEnvCommands } from './commands/env';
import { registerHubCommands } from './commands/hub';
import { registerImageCommands } from './commands/image';
import { registerKernelsCommands } from './commands/kernels';
import { registerRunnerCommands } from './commands/runner';

/**
 * `configure` sets what the verbs inherit from the program (output, exit
 * override, hooks): commander copies it into each subcommand as it is added.
 */
export function buildProgram(
  context: ICliContext,
  configure: (program: Command) => void = () => undefined
): Command {
  const program = new Command('mlc')
    .description(
      'Kernels, image metadata and extended envs for the ML container images'
    )
    // A plain option, not commander's .version(): that answers as soon as it
    // is read, before a --json later on the line is known.
    .option('-V, --version', 'output the version number')
    .option(
      '--json',
      'print JSON events, one a line, instead of text (anywhere on the command line)'
    );
  configure(program);
  registerKernelsCommands(program, context);
  registerImageCommands(program, context);
  registerEnvCommands(program, context);
  registerRunnerCommands(program, context);
  registerHubCommands(program, context);
  return program;
}
