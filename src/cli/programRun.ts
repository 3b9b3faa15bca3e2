/**
 * `mlc`'s command line through commander: the program root, the command
 * groups the line needs (commandGroups.ts), help, usage errors and the
 * version. main.ts loads this module only for lines the hot verbs' own
 * path (hotPath.ts) does not take.
 */
import { Command, CommanderError } from 'commander';
import { commandGroupsFor } from './commandGroups';
import type { ICliContext } from './context';
import { reportFailure } from './failure';
import type { Reporter } from './output';
import { programRoot } from './program';
import { mlcVersion, reportVersion } from './version';

/** Parse and run `args` with commander; resolves to the exit code. */
export async function runProgram(
  args: string[],
  context: ICliContext
): Promise<number> {
  const reporter = context.reporter;
  let helpText = '';
  let usageText = '';
  // Set before the verbs are added: commander copies them into each verb.
  const program = programRoot()
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      // Help and version: printed by us once the mode is known.
      writeOut: text => {
        helpText += text;
      },
      // Usage after a mistake: for people only, once the mode is known.
      writeErr: text => {
        usageText += text;
      },
      outputError: () => undefined
    })
    .hook('preAction', () => {
      Private.applyJsonFlag(program, reporter);
      Private.answerVersion(program);
    })
    // Reached only without a subcommand: the version, or what is missing.
    .action((_options: unknown, command: Command) =>
      Private.noSubcommand(program, command)
    );
  // Bare `mlc` in a set-up work directory enters it, as the seed's script did.
  const commandLine =
    args.length === 0 && (await import('./commands/runner')).setUpHere(context)
      ? ['enter']
      : args;
  // Only the groups the command line needs are loaded (see commandGroups.ts).
  for (const register of await commandGroupsFor(commandLine, context.env)) {
    register(program, context);
  }

  let exitCode = 0;
  try {
    await program.parseAsync(commandLine, { from: 'user' });
    // Verbs that hand the terminal to a shell set its status here.
    exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (reason) {
    Private.applyJsonFlag(program, reporter);
    exitCode = Private.report(reason, reporter, helpText);
  }
  reporter.humanError(usageText);
  if (reporter.machine) {
    reporter.emit({ type: 'end', exitCode });
  }
  return exitCode;
}

namespace Private {
  /** The program-level --json, wherever it stood (commander reads program options anywhere). */
  export function applyJsonFlag(program: Command, reporter: Reporter): void {
    if ((program.opts() as { json?: boolean }).json) {
      reporter.useJson();
    }
  }

  /** --version anywhere on the line answers instead of the command. */
  export function answerVersion(program: Command): void {
    if ((program.opts() as { version?: boolean }).version) {
      throw new CommanderError(0, 'commander.version', mlcVersion());
    }
  }

  /** `mlc [--json]` or `mlc WORD` where WORD is no command. */
  export function noSubcommand(program: Command, command: Command): void {
    if (command.args.length > 0) {
      throw new CommanderError(
        1,
        'commander.unknownCommand',
        `error: unknown command '${command.args[0]}'`
      );
    }
    program.outputHelp({ error: true });
    throw new CommanderError(1, 'commander.help', '(outputHelp)');
  }

  /** Turn anything thrown into one line on stderr (or an error event); return the exit code. */
  export function report(
    reason: unknown,
    reporter: Reporter,
    helpText: string
  ): number {
    if (reason instanceof CommanderError) {
      if (
        reason.code === 'commander.helpDisplayed' ||
        reason.code === 'commander.version'
      ) {
        if (reason.code === 'commander.version') {
          reportVersion(reporter);
        } else {
          reporter.result('help', { text: helpText }, helpText);
        }
        return 0;
      }
      // A command group without a subcommand: commander has printed its help for people.
      if (reason.code === 'commander.help') {
        // Machines get no help text, so they get the reason.
        if (!reporter.machine) {
          return 2;
        }
        reporter.error(
          'the command is incomplete: it needs a subcommand',
          "run 'mlc --help' (or 'mlc GROUP --help') for the list"
        );
        return 2;
      }
      const message = reason.message
        .replace(/^error: /, '')
        .split('\n')[0]
        .replace(/\.$/, '');
      reporter.error(message, "run 'mlc --help' for usage");
      return 2;
    }
    return reportFailure(reason, reporter);
  }
}
