/**
 * How a command talks back: human text, `--json` (one event a line), or the
 * wire format the extension reads from a terminal (events behind a marker).
 * Commands only call `progress`, `warning`, `result` and `info`; errors come
 * through `error`; the mode decides. Nothing else in `mlc` writes to stdout
 * or stderr (one deliberate exception: `env create --print-activate-path`).
 */
import { formatWireEvent, type WireEvent } from '../core/wire';
import { fdWriter } from './fs/stdio';
import { visibleText } from '../core/visibleText';
import type { ChangePhase } from '../core/envLife';

export { elideText, visibleText } from '../core/visibleText';

export type OutputMode =
  { kind: 'human' } | { kind: 'json' } | { kind: 'wire'; nonce: string };

export class Reporter {
  constructor(
    mode: OutputMode,
    private readonly _write: (text: string) => void = Private.stdout,
    private readonly _writeError: (text: string) => void = Private.stderr
  ) {
    this._mode = mode;
  }

  get mode(): OutputMode {
    return this._mode;
  }

  /** True when output is machine-read: commands skip prose and colour then. */
  get machine(): boolean {
    return this._mode.kind !== 'human';
  }

  /**
   * Switch to `--json` (known only once the arguments are parsed); wire mode
   * stays wire, since the extension reads only marked lines.
   */
  useJson(): void {
    if (this._mode.kind === 'human') {
      this._mode = { kind: 'json' };
    }
  }

  /** A step of a longer operation (shown in the notification in JupyterLab). */
  progress(message: string, phase?: ChangePhase): void {
    if (this.machine) {
      this.emit({ type: 'progress', message, ...(phase ? { phase } : {}) });
    }
  }

  /** Something skipped or odd that does not fail the command. */
  warning(message: string): void {
    if (this.machine) {
      this.emit({ type: 'warning', message });
    } else {
      this._writeError(`mlc: warning: ${visibleText(message)}\n`);
    }
  }

  /**
   * The command's outcome: `data` for machines, `human` (already formatted
   * lines, or a function making them, called only in human mode) for people.
   */
  result(command: string, data: unknown, human: string | (() => string)): void {
    if (this.machine) {
      this.emit({ type: 'result', command, data });
      return;
    }
    const text = typeof human === 'function' ? human() : human;
    if (text) {
      this._write(text.endsWith('\n') ? text : text + '\n');
    }
  }

  /** Prose for people only. */
  info(text: string): void {
    if (!this.machine) {
      this._write(text.endsWith('\n') ? text : text + '\n');
    }
  }

  /** The one line of a failure: an error event, or `mlc: error: ...` on stderr. */
  error(message: string, hint?: string): void {
    if (this.machine) {
      this.emit({ type: 'error', message, ...(hint ? { hint } : {}) });
    } else {
      this._writeError(
        `mlc: error: ${visibleText(hint ? `${message}; ${hint}` : message)}\n`
      );
    }
  }

  /** Text for people on stderr (commander's usage after a mistake); nothing in machine modes. */
  humanError(text: string): void {
    if (!this.machine) {
      this._writeError(text);
    }
  }

  /** MLC_DEBUG output (stack traces): stderr in every mode, never parsed. */
  debug(text: string): void {
    this._writeError(text);
  }

  /** Emit a raw event (the final `end` comes through here). */
  emit(event: WireEvent): void {
    const nonce = this._mode.kind === 'wire' ? this._mode.nonce : null;
    this._write(formatWireEvent(event, nonce) + '\n');
  }

  private _mode: OutputMode;
}

/** Write to stdout: by `fs.writeSync`, without Node's stream (see fs/stdio.ts). */
export function writeStdout(text: string): void {
  Private.toStdout(text);
}

/** Write to stderr, as writeStdout does. */
export function writeStderr(text: string): void {
  Private.toStderr(text);
}

/** Call `ready` with process.stdout once it is first made (at once if it is). */
export function whenStdoutMade(
  ready: (stream: NodeJS.WriteStream) => void
): void {
  const made = Object.getOwnPropertyDescriptor(process, 'stdout');
  if (!made?.get || !made.configurable) {
    ready(process.stdout);
    return;
  }
  const getter = made.get;
  Object.defineProperty(process, 'stdout', {
    configurable: true,
    enumerable: made.enumerable,
    get() {
      // Node's own getter from now on (it keeps the stream it made).
      Object.defineProperty(process, 'stdout', made);
      const stream = getter.call(process) as NodeJS.WriteStream;
      ready(stream);
      return stream;
    }
  });
}

namespace Private {
  export function stdout(text: string): void {
    writeStdout(text);
  }

  export function stderr(text: string): void {
    writeStderr(text);
  }

  export const toStdout = fdWriter(1, () => process.stdout);
  export const toStderr = fdWriter(2, () => process.stderr);
}
