/** `mlc status`: what is set up here (the seed's printMe), and what the user added since. */
import { isSandboxEngine, type WorkState } from '../../core/runner/workState';
import type { ICliContext } from '../context';
import { addedPackages, type IAddedPackages } from './addedPackages';
import { ensureRunning, recordedContainer, sandboxPath } from './container';
import { engineFor } from './engine';
import { requireState, workDir } from './stateFile';
import * as fs from 'fs';
import { visibleText } from '../../core/visibleText';

export interface IStatus {
  state: WorkState;
  /** `running`, `exited`, `created`..., `present` for a sandbox, `missing` when gone. */
  status: string;
  added: IAddedPackages | null;
}

export function status(context: ICliContext): IStatus {
  const state = requireState(workDir(context.cwd));
  const engine = engineFor(state.engine, context.env);
  if (isSandboxEngine(state.engine)) {
    const present = fs.existsSync(sandboxPath(state));
    return {
      state,
      status: present ? 'present' : 'missing',
      added: present ? addedPackages(engine, state) : null
    };
  }
  const view = recordedContainer(engine, state);
  if (!view) {
    return { state, status: 'missing', added: null };
  }
  // Reading the packages needs a running container; a stopped one is started.
  ensureRunning(engine, state);
  return { state, status: view.status, added: addedPackages(engine, state) };
}

export function formatStatus(result: IStatus): string {
  const { state } = result;
  const where = state.container
    ? `container ${state.container.name} (${state.container.id.slice(0, 12)}), ${result.status}`
    : `sandbox ${sandboxPath(state)}, ${result.status}`;
  // State-file text is someone's file: escapes never reach the terminal.
  const show = (value: string | null) =>
    value === null ? 'unknown' : visibleText(value);
  const lines = [
    `Set up in ${show(state.workdir)}:`,
    `  image:           ${show(state.image.name)}:${show(state.image.tag)} (${show(state.image.reference)})`,
    `  engine:          ${state.engine}${state.gpu !== 'none' ? ` (GPU: ${state.gpu})` : ''}`,
    `  ${(state.container ? 'container:' : 'sandbox:').padEnd(17)}${where}`,
    `  digest:          ${state.image.digest ?? 'unknown'}`,
    `  compressed size: ${state.image.compressedSize ?? 'unknown'}`,
    `  created:         ${show(state.image.created)}`,
    `  last updated:    ${show(state.image.lastUpdated)}`,
    `  set up at:       ${show(state.setupAt)}`
  ];
  if (state.binds.length > 0) {
    lines.push(
      `  binds:           ${state.binds.map(b => show(`${b.source}:${b.target}`)).join(' ')}`
    );
  }
  const added = result.added;
  if (added) {
    const conda = added.conda.map(p => show(`${p.name} ${p.version}`));
    const pip = added.pip.map(p => show(`${p.name} ${p.version}`));
    lines.push(
      `Added since setup: ${conda.length + pip.length === 0 ? 'nothing' : ''}`
    );
    if (conda.length > 0) {
      lines.push(`  conda: ${conda.join(', ')}`);
    }
    if (pip.length > 0) {
      lines.push(`  pip:   ${pip.join(', ')}`);
    }
    for (const problem of added.problems) {
      lines.push(`  (${problem})`);
    }
  }
  return lines.join('\n');
}
