/**
 * `mlc`: the command-line tool of jupyterlab-ml-containers.
 *
 * Each command group lives in `commands/<group>.ts` and registers itself on
 * the program; this file owns parsing, output mode and error reporting.
 */
import { Command, CommanderError } from 'commander';
import { decodeWireRequest, WIRE_FLAG } from '../core/wire';
import { registerEnvCommands } from './commands/env';
import { registerHubCommands } from './commands/hub';
import { registerImageCommands } from './commands/image';
import { registerKernelsCommands } from './commands/kernels';
import { makeContext } from './context';
import { UserError } from './errors';
import { Reporter, type OutputMode } from './output';

declare const MLC_VERSION: string;

/** Run `mlc` with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let mode: OutputMode = { kind: 'human' };
  let args = argv;
  try {
    if (argv[0] === WIRE_FLAG) {
      const request = decodeWireRequest(argv[1] ?? '');
      mode = { kind: 'wire', nonce: request.nonce };
      args = request.args;
    } else if (argv.includes('--json')) {
      mode = { kind: 'json' };
    }
  } catch (reason) {
    process.stderr.write(`mlc: error: ${(reason as Error).message}\n`);
    return 2;
  }
  const reporter = new Reporter(mode);
  const context = makeContext(reporter);
  const program = new Command('mlc')
    .description('Kernels, image metadata and extended envs for the ML container images')
    .version(typeof MLC_VERSION === 'string' ? MLC_VERSION : '0.0.0-dev')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeErr: text => {
        if (!reporter.machine) {
          process.stderr.write(text);
        }
      },
      outputError: () => undefined
    });
  registerKernelsCommands(program, context);
  registerImageCommands(program, context);
  registerEnvCommands(program, context);
  registerHubCommands(program, context);

  let exitCode = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (reason) {
    exitCode = Private.report(reason, reporter);
  }
  if (reporter.machine) {
    reporter.emit({ type: 'end', exitCode });
  }
  return exitCode;
}

namespace Private {
  /** Turn anything thrown into one line on stderr (or an error event); return the exit code. */
  export function report(reason: unknown, reporter: Reporter): number {
    if (reason instanceof CommanderError) {
      // --help and --version end here too, successfully.
      if (reason.exitCode === 0) {
        return 0;
      }
      // A command group without a subcommand: commander has printed its help.
      if (reason.code === 'commander.help' || reason.code === 'commander.helpDisplayed') {
        return 2;
      }
      const message = reason.message.replace(/^error: /, '').split('\n')[0].replace(/\.$/, '');
      emitError(reporter, message, "run 'mlc --help' for usage");
      return 2;
    }
    if (reason instanceof UserError) {
      emitError(reporter, reason.message, reason.hint);
      return reason.exitCode;
    }
    const error = reason instanceof Error ? reason : new Error(String(reason));
    emitError(reporter, `internal error: ${error.message.split('\n')[0]}`, 'please report this with MLC_DEBUG=1 output');
    if (process.env.MLC_DEBUG) {
      process.stderr.write(`${error.stack}\n`);
    }
    return 1;
  }

  function emitError(reporter: Reporter, message: string, hint?: string): void {
    if (reporter.machine) {
      reporter.emit({ type: 'error', message, ...(hint ? { hint } : {}) });
    } else {
      process.stderr.write(`mlc: error: ${hint ? `${message}; ${hint}` : message}\n`);
    }
  }
}
