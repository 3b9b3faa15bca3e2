/** `mlc kernels ...` (placeholder until its issue lands). */
import type { Command } from 'commander';
import type { ICliContext } from '../context';

export function registerKernelsCommands(program: Command, context: ICliContext): void {
  void context;
  program.command('kernels').description('(not yet implemented)');
}
