/**
 * The hand-dispatched path of the hot verbs `mlc env list`, `mlc env
 * create`, `mlc enter` and `mlc info`: a command line in the plain shape
 * people and scripts write is parsed here (the runner verbs' shapes in
 * hotPathRunner.ts) and run without commander and without the rest of its
 * command group (about 15 ms of CPU at each start). Anything else, and every line
 * whose reading could differ by a hair from commander's (help, --version,
 * `--opt=value`, combined short flags, a value that looks like an option,
 * an extra operand, `--`), returns null and goes to commander, which owns
 * help texts and usage errors. tests/integration/cliDispatch.test.ts runs
 * each shape both ways and compares.
 */
import type { ICliContext } from './context';
import type { ICreateFlags } from './commands/envHot';
import { runnerHotVerb, type RunnerHotVerb } from './hotPathRunner';

/** A command line recognised, with what commander would have parsed from it. */
export type HotVerb =
  | { verb: 'env list'; json: boolean; dirs: string[] }
  | {
      verb: 'env create';
      json: boolean;
      positional: string | undefined;
      flags: ICreateFlags;
    }
  | RunnerHotVerb;

/** `args` (after the wire decoding) as a hot verb, or null for commander. */
export function hotVerb(args: readonly string[]): HotVerb | null {
  const verb = args.find(arg => arg !== '--json');
  if (verb === 'enter' || verb === 'info') {
    return runnerHotVerb(args);
  }
  let json = false;
  const words: string[] = [];
  const rest: string[] = [];
  for (const arg of args) {
    if (arg === '--json' && !Private.takesValue(rest)) {
      // A program option: commander reads it anywhere on the line.
      json = true;
    } else if (words.length < 2) {
      if (arg.startsWith('-')) {
        return null;
      }
      words.push(arg);
    } else {
      rest.push(arg);
    }
  }
  if (words[0] !== 'env') {
    return null;
  }
  if (words[1] === 'list') {
    const dirs = Private.listOptions(rest);
    return dirs ? { verb: 'env list', json, dirs } : null;
  }
  if (words[1] === 'create') {
    const parsed = Private.createOptions(rest);
    return parsed ? { verb: 'env create', json, ...parsed } : null;
  }
  return null;
}

/** Run a recognised line as its commander action would (errors are thrown as there). */
export async function runHotVerb(
  hot: HotVerb,
  context: ICliContext
): Promise<void> {
  if (hot.json) {
    context.reporter.useJson();
  }
  if (hot.verb === 'enter' || hot.verb === 'info') {
    // Only these two verbs' code is set up, not the runner group's.
    const runner = await import('./commands/runnerHot');
    await (hot.verb === 'enter'
      ? runner.runEnter(context, hot.command)
      : runner.runInfo(context, hot.image, hot.catalogue));
    return;
  }
  // Only these two verbs' code is set up, not the env group's.
  const verbs = await import('./commands/envHot');
  if (hot.verb === 'env list') {
    await verbs.runEnvList(context, hot.dirs);
  } else {
    await verbs.runEnvCreate(context, hot.positional, hot.flags);
  }
}

namespace Private {
  /** `env create`'s options that take a value, and the flag each sets. */
  const CREATE_VALUES: Record<
    string,
    'prefix' | 'base' | 'displayName' | 'containerImage' | 'from' | 'bind'
  > = {
    '-p': 'prefix',
    '--prefix': 'prefix',
    '--base': 'base',
    '--display-name': 'displayName',
    '--container-image': 'containerImage',
    '--from': 'from',
    '--bind': 'bind'
  };

  /** Every option of the two verbs that takes a value. */
  const VALUE_OPTIONS = new Set(['--dir', ...Object.keys(CREATE_VALUES)]);

  /** Whether the last argument seen is an option waiting for its value. */
  export function takesValue(seen: readonly string[]): boolean {
    let waiting = false;
    for (const arg of seen) {
      waiting = !waiting && VALUE_OPTIONS.has(arg);
    }
    return waiting;
  }

  /** A value commander would take as this one: present and not option-like. */
  function plainValue(value: string | undefined): value is string {
    return value !== undefined && !value.startsWith('-');
  }

  /** `env list`'s `--dir DIR`s, or null for any other shape. */
  export function listOptions(rest: readonly string[]): string[] | null {
    const dirs: string[] = [];
    for (let i = 0; i < rest.length; i += 2) {
      if (rest[i] !== '--dir' || !plainValue(rest[i + 1])) {
        return null;
      }
      dirs.push(rest[i + 1]);
    }
    return dirs;
  }

  /** `env create`'s operand and options, or null for any other shape. */
  export function createOptions(
    rest: readonly string[]
  ): { positional: string | undefined; flags: ICreateFlags } | null {
    const flags: ICreateFlags = { bind: [] };
    let positional: string | undefined;
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i];
      const valueFlag = Object.hasOwn(CREATE_VALUES, arg)
        ? CREATE_VALUES[arg]
        : undefined;
      if (valueFlag !== undefined) {
        const value = rest[++i];
        if (!plainValue(value)) {
          return null;
        }
        if (valueFlag === 'bind') {
          flags.bind = [...flags.bind, value];
        } else {
          flags[valueFlag] = value;
        }
      } else if (arg === '--kernel' || arg === '--no-kernel') {
        flags.kernel = arg === '--kernel';
      } else if (arg === '--allow-other-image') {
        flags.allowOtherImage = true;
      } else if (arg === '--print-activate-path') {
        flags.printActivatePath = true;
      } else if (arg.startsWith('-') || positional !== undefined) {
        return null;
      } else {
        positional = arg;
      }
    }
    return { positional, flags };
  }
}
