/**
 * `mlc`: the command-line tool of jupyterlab-ml-containers.
 *
 * Each command group lives in `commands/<group>.ts` and registers itself on
 * the program; this file owns parsing, output mode and error reporting.
 * In `--json` and wire mode everything, help and failures included, is an
 * event, and the last one is `end`.
 */
import { Command, CommanderError } from 'commander';
import { decodeWireRequest, WIRE_FLAG, WIRE_VERBS } from '../core/wire';
import { commandGroupsFor } from './commandGroups';
import { makeContext } from './context';
import { UserError } from './errors';
import { Reporter, visibleText, type OutputMode } from './output';
import { programRoot } from './program';
import { mlcVersion, reportVersion } from './version';

/** Run `mlc` with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let mode: OutputMode = { kind: 'human' };
  let args = argv;
  if (argv[0] === WIRE_FLAG) {
    try {
      if (argv.length !== 2) {
        throw new Error(
          `${WIRE_FLAG} takes exactly one argument, the encoded request`
        );
      }
      const request = decodeWireRequest(argv[1]);
      mode = { kind: 'wire', nonce: request.nonce };
      args = request.args;
    } catch (reason) {
      // Without a nonce no marked event can answer: one line for whoever typed it.
      new Reporter({ kind: 'human' }).error(
        (reason as Error).message,
        'mlc --wire is for the JupyterLab extension'
      );
      return 2;
    }
  }
  const reporter = new Reporter(mode);
  const refusal = mode.kind === 'wire' ? Private.wireRefusal(args) : null;
  if (refusal) {
    reporter.error(refusal.message, refusal.hint);
    reporter.emit({ type: 'end', exitCode: 2 });
    return 2;
  }

  const context = makeContext(reporter);
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

  /** Why a wire request is refused, or null: only the extension's verbs, and --help/--version. */
  export function wireRefusal(
    args: string[]
  ): { message: string; hint: string } | null {
    const verbs = WIRE_VERBS.map(([group, verb]) => `${group} ${verb}`).join(
      ', '
    );
    if (
      args.length === 1 &&
      ['--help', '-h', '--version', '-V'].includes(args[0])
    ) {
      return null;
    }
    if (
      WIRE_VERBS.some(([group, verb]) => args[0] === group && args[1] === verb)
    ) {
      return null;
    }
    if (args.length === 0 || args.every(arg => arg.startsWith('-'))) {
      return {
        message: 'the request names no command',
        hint: `the extension runs one of: ${verbs}`
      };
    }
    const group = WIRE_VERBS.filter(([known]) => known === args[0]).map(
      ([, verb]) => verb
    );
    if (group.length > 0 && (args.length === 1 || args[1].startsWith('-'))) {
      return {
        message: `"mlc ${args[0]}" needs a subcommand`,
        hint: `one of ${group.join(', ')}, e.g. mlc ${args[0]} ${group[1] ?? group[0]}`
      };
    }
    const shown = visibleText(args.slice(0, 2).join(' ').slice(0, 1000));
    return {
      message: `"mlc ${shown}" is not run over the wire`,
      hint: `the extension runs only ${verbs}; run other commands in a terminal`
    };
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
    if (reason instanceof UserError) {
      reporter.error(reason.message, reason.hint);
      return reason.exitCode;
    }
    const error = reason instanceof Error ? reason : new Error(String(reason));
    reporter.error(
      `internal error: ${error.message.split('\n')[0]}`,
      'please report this with MLC_DEBUG=1 output'
    );
    if (process.env.MLC_DEBUG) {
      reporter.debug(`${error.stack}\n`);
    }
    return 1;
  }
}
