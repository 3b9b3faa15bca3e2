/** `mlc env ...` (placeholder until its issue lands). */
import type { Command } from 'commander';
import type { ICliContext } from '../context';

export function registerEnvCommands(program: Command, context: ICliContext): void {
  void context;
  program.command('env').description('(not yet implemented)');
}
