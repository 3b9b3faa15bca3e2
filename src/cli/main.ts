/**
 * `mlc`: the command-line tool of jupyterlab-ml-containers.
 *
 * Each command group lives in `commands/<group>.ts` and registers itself on
 * the program; this file owns the output mode (wire requests decoded here)
 * and hands the line to the hot verbs' own path (hotPath.ts) or to
 * commander (programRun.ts, loaded only then). In `--json` and wire mode
 * everything, help and failures included, is an event, and the last one
 * is `end`.
 */
import { decodeWireRequest, WIRE_FLAG, WIRE_VERBS } from '../core/wire';
import { LOAD_ALL_VARIABLE } from './commandGroups';
import { makeContext } from './context';
import { reportFailure } from './failure';
import { hotVerb, runHotVerb } from './hotPath';
import { Reporter, visibleText, type OutputMode } from './output';

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
  // The hot verbs in their plain shapes skip commander (hotPath.ts).
  const hot = context.env[LOAD_ALL_VARIABLE] ? null : hotVerb(args);
  if (hot) {
    let exitCode = 0;
    try {
      await runHotVerb(hot, context);
      exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
    } catch (reason) {
      exitCode = reportFailure(reason, reporter);
    }
    if (reporter.machine) {
      reporter.emit({ type: 'end', exitCode });
    }
    return exitCode;
  }
  return (await import('./programRun')).runProgram(args, context);
}

namespace Private {
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
}
