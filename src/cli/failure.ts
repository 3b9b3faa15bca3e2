/**
 * How a failure that escaped a command is reported, on commander's path
 * and on the hand-dispatched one alike: a UserError as its one line and
 * exit code, anything else as an internal error.
 */
import { UserError } from './errors';
import type { Reporter } from './output';

/** Report `reason` (not a commander error) through `reporter`; return the exit code. */
export function reportFailure(reason: unknown, reporter: Reporter): number {
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
