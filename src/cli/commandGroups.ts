/**
 * The command groups of `mlc`, each loaded only when a command of it runs.
 *
 * A group is one `commands/<group>.ts` module with one register function;
 * its code (and the work modules it imports) is set up only once it is
 * loaded here. scripts/build-cli.mjs loads every group once at build time
 * and records which top-level command names each one registers
 * (`MLC_COMMAND_GROUPS`), so `mlc env list` loads the env group alone and
 * a verb added to a group later is found without touching this file.
 * Whatever the record does not decide (no command word, an unknown one,
 * `mlc help`, no record at all as in the unit tests) loads every group:
 * then commander sees the whole program, as it always did, for the help
 * text, the unknown-command error and its suggestions.
 */
import type { Command } from 'commander';
import type { ICliContext } from './context';
import { isVersionRequest } from './version';

export type RegisterCommands = (program: Command, context: ICliContext) => void;

/** Every group, in the order of `mlc --help`. */
export const COMMAND_GROUPS: Record<string, () => Promise<RegisterCommands>> = {
  kernels: async () =>
    (await import('./commands/kernels')).registerKernelsCommands,
  image: async () => (await import('./commands/image')).registerImageCommands,
  env: async () => (await import('./commands/env')).registerEnvCommands,
  runner: async () =>
    (await import('./commands/runner')).registerRunnerCommands,
  hub: async () => (await import('./commands/hub')).registerHubCommands
};

declare const MLC_COMMAND_GROUPS: Record<string, string> | undefined;

/** Set in the environment, every group is loaded (to compare both paths in tests). */
export const LOAD_ALL_VARIABLE = 'MLC_LOAD_ALL_COMMANDS';

/** The register functions `args` needs (the command line as commander will parse it). */
export async function commandGroupsFor(
  args: readonly string[],
  env: NodeJS.ProcessEnv
): Promise<RegisterCommands[]> {
  const names = env[LOAD_ALL_VARIABLE]
    ? Object.keys(COMMAND_GROUPS)
    : Private.groupNames(args);
  return Promise.all(names.map(name => COMMAND_GROUPS[name]()));
}

namespace Private {
  export function groupNames(args: readonly string[]): string[] {
    const all = Object.keys(COMMAND_GROUPS);
    const record =
      typeof MLC_COMMAND_GROUPS === 'object' ? MLC_COMMAND_GROUPS : undefined;
    if (!record) {
      return all;
    }
    // `mlc --version` (with --json or not) is answered by the program alone.
    if (isVersionRequest(args)) {
      return [];
    }
    // As commander tells an option from an operand; `--` ends the options.
    const word = args.find(arg => arg === '--' || !Private.isOption(arg));
    const group =
      word !== undefined && word !== '--' && Object.hasOwn(record, word)
        ? record[word]
        : undefined;
    return group !== undefined && Object.hasOwn(COMMAND_GROUPS, group)
      ? [group]
      : all;
  }

  export function isOption(arg: string): boolean {
    return arg.length > 1 && arg.startsWith('-');
  }
}
