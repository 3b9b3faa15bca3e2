/**
 * The plain shapes of `mlc enter` and `mlc info` for the hand-dispatched
 * path (hotPath.ts). Commander reads the program's `--json` anywhere before
 * a `--`, an unknown option word (`ls -la`) as an error of `enter`, and
 * everything after `--` as the command; only the shapes below are taken,
 * each proven to read as commander reads it (tests/unit/cliHotPath.test.ts
 * and tests/integration/cliDispatch.test.ts). Anything else returns null.
 */

/** A runner verb's line recognised, with what commander would have parsed from it. */
export type RunnerHotVerb =
  | { verb: 'enter'; json: boolean; command: string[] }
  | {
      verb: 'info';
      json: boolean;
      image: string;
      catalogue: string | undefined;
    };

/**
 * `args` as `[--json]... enter [--json | WORD]...`,
 * `[--json]... enter [--json]... -- ANY...`, or
 * `[--json]... info [--json | IMAGE | --catalogue FILE]...` (one each);
 * else null.
 */
export function runnerHotVerb(args: readonly string[]): RunnerHotVerb | null {
  const at = args.findIndex(arg => arg !== '--json');
  const json = at > 0;
  const rest = args.slice(at + 1);
  if (args[at] === 'enter') {
    return Private.enterLine(json, rest);
  }
  if (args[at] === 'info') {
    return Private.infoLine(json, rest);
  }
  return null;
}

namespace Private {
  /** Option-like as this path counts it: anything with a leading dash (commander: length > 1). */
  function optionLike(arg: string): boolean {
    return arg.startsWith('-');
  }

  export function enterLine(
    json: boolean,
    rest: readonly string[]
  ): RunnerHotVerb | null {
    const command: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i];
      if (arg === '--json') {
        json = true;
      } else if (arg === '--') {
        // Only right after the verb: a `--` after a word is a shape people
        // may read otherwise (commander drops it), so commander answers it.
        return command.length === 0
          ? { verb: 'enter', json, command: rest.slice(i + 1) }
          : null;
      } else if (optionLike(arg)) {
        return null;
      } else {
        command.push(arg);
      }
    }
    return { verb: 'enter', json, command };
  }

  export function infoLine(
    json: boolean,
    rest: readonly string[]
  ): RunnerHotVerb | null {
    let image: string | undefined;
    let catalogue: string | undefined;
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i];
      if (arg === '--json') {
        json = true;
      } else if (arg === '--catalogue') {
        const value = rest[++i];
        // Given twice, or an option-like (or missing) value: commander's to read.
        if (
          catalogue !== undefined ||
          value === undefined ||
          optionLike(value)
        ) {
          return null;
        }
        catalogue = value;
      } else if (optionLike(arg) || image !== undefined) {
        return null;
      } else {
        image = arg;
      }
    }
    return image === undefined
      ? null
      : { verb: 'info', json, image, catalogue };
  }
}
