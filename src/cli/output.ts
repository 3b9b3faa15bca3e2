/**
 * How a command talks back: human text, `--json` (one event a line), or the
 * wire format the extension reads from a terminal (events behind a marker).
 * Commands only call `progress`, `result` and `info`; the mode decides.
 */
import { formatWireEvent, type WireEvent } from '../core/wire';

export type OutputMode =
  | { kind: 'human' }
  | { kind: 'json' }
  | { kind: 'wire'; nonce: string };

export class Reporter {
  constructor(readonly mode: OutputMode, private readonly _write: (line: string) => void = Private.stdout) {}

  /** True when output is machine-read: commands skip prose and colour then. */
  get machine(): boolean {
    return this.mode.kind !== 'human';
  }

  /** A step of a longer operation (shown in the notification in JupyterLab). */
  progress(message: string): void {
    if (this.machine) {
      this.emit({ type: 'progress', message });
    }
  }

  /**
   * The command's outcome: `data` for machines, `human` (already formatted
   * lines) for people.
   */
  result(command: string, data: unknown, human: string): void {
    if (this.machine) {
      this.emit({ type: 'result', command, data });
    } else if (human) {
      this._write(human.endsWith('\n') ? human : human + '\n');
    }
  }

  /** Prose for people only. */
  info(text: string): void {
    if (!this.machine) {
      this._write(text.endsWith('\n') ? text : text + '\n');
    }
  }

  /** Emit a raw event (errors and the final `end` come through here). */
  emit(event: WireEvent): void {
    const nonce = this.mode.kind === 'wire' ? this.mode.nonce : null;
    this._write(formatWireEvent(event, nonce) + '\n');
  }
}

namespace Private {
  export function stdout(text: string): void {
    process.stdout.write(text);
  }
}
