/**
 * The `mlc` program: its own options (`programRoot`), and the whole command
 * tree with every group's verbs (`buildProgram`), built without running
 * anything. `main` starts from the root and adds only the groups its
 * command line needs (commandGroups.ts); scripts/cli-reference.mjs writes
 * docs/cli.md from the whole tree.
 */
import { Command } from 'commander';
import { COMMAND_GROUPS } from './commandGroups';
import type { ICliContext } from './context';

/** The program before any verb: its name, description and own options. */
export function programRoot(): Command {
  return (
    new Command('mlc')
      .description(
        'Kernels, image metadata and extended envs for the ML container images'
      )
      // A plain option, not commander's .version(): that answers as soon as it
      // is read, before a --json later on the line is known.
      .option('-V, --version', 'output the version number')
      .option(
        '--json',
        'print JSON events, one a line, instead of text (anywhere on the command line)'
      )
  );
}

/** The whole program: the root with every group's verbs, in the order of `mlc --help`. */
export async function buildProgram(context: ICliContext): Promise<Command> {
  const program = programRoot();
  for (const load of Object.values(COMMAND_GROUPS)) {
    (await load())(program, context);
  }
  return program;
}
