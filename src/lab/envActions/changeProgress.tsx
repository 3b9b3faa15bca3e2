/**
 * What Add Packages… and Remove Packages… show while and after a change
 * runs: its four phases (the current one marked), the one line a failure
 * gives, and the installer's output in an expandable log. The views keep
 * their own forms and previews; this is the part they share.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { CHANGE_PHASES, type ChangePhase } from '../../core/envLife';

/** Where a change run stands. */
export type ChangeRun =
  | { step: 'idle' }
  | { step: 'running'; phase: ChangePhase | null }
  | { step: 'done' }
  | { step: 'failed'; error: string };

/** The installer's output of the last run, and how the run reports a line to it. */
export interface IChangeLog {
  lines: readonly string[];
  /** Forget the last run's output (a new run starts). */
  clear(): void;
  /** One line of output; only the last MAX_LOG_LINES are kept. */
  add(message: string): void;
}

/** The log state of a view that runs changes. */
export function useChangeLog(): IChangeLog {
  const [lines, setLines] = React.useState<readonly string[]>([]);
  const clear = React.useCallback(() => setLines([]), []);
  const add = React.useCallback(
    (message: string) =>
      setLines(current => Private.withLine(current, message)),
    []
  );
  return { lines, clear, add };
}

export function ChangeProgress(props: {
  run: ChangeRun;
  log: readonly string[];
  trans: TranslationBundle;
}): React.ReactElement {
  const { run, log, trans } = props;
  return (
    <>
      {run.step === 'running' || run.step === 'done' ? (
        <Phases
          current={run.step === 'running' ? run.phase : null}
          done={run.step === 'done'}
          trans={trans}
        />
      ) : null}
      {run.step === 'failed' ? (
        <div role="alert" className="jp-MLC-error">
          {run.error}
        </div>
      ) : null}
      {log.length ? (
        <details className="jp-MLC-changeLog">
          <summary>{trans.__('Installer output')}</summary>
          <pre>{log.join('\n')}</pre>
        </details>
      ) : null}
    </>
  );
}

/** The four phases of a change, the current one marked. */
function Phases(props: {
  current: ChangePhase | null;
  done: boolean;
  trans: TranslationBundle;
}): React.ReactElement {
  const { current, done, trans } = props;
  const at = current ? CHANGE_PHASES.indexOf(current) : -1;
  return (
    <ol
      className="jp-MLC-phases"
      aria-label={trans.__('Progress')}
      aria-live="polite"
    >
      {CHANGE_PHASES.map((phase, index) => {
        const state =
          done || index < at ? 'done' : index === at ? 'current' : 'waiting';
        return (
          <li
            key={phase}
            data-phase={phase}
            data-state={state}
            aria-current={state === 'current' ? 'step' : undefined}
          >
            {Private.phaseWord(phase, trans)}
          </li>
        );
      })}
    </ol>
  );
}

namespace Private {
  /** The log keeps the installer's last lines only. */
  export const MAX_LOG_LINES = 2000;

  export function withLine(
    lines: readonly string[],
    message: string
  ): readonly string[] {
    return [...lines.slice(-MAX_LOG_LINES + 1), message];
  }

  export function phaseWord(
    phase: ChangePhase,
    trans: TranslationBundle
  ): string {
    switch (phase) {
      case 'resolve':
        return trans.__('Resolve');
      case 'download':
        return trans.__('Download');
      case 'install':
        return trans.__('Install');
      case 'verify':
        return trans.__('Verify');
    }
  }
}
