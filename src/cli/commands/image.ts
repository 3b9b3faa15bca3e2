/** `mlc image ...` (placeholder until its issue lands). */
import type { Command } from 'commander';
import type { ICliContext } from '../context';

export function registerImageCommands(program: Command, context: ICliContext): void {
  void context;
  program.command('image').description('(not yet implemented)');
}
