/**
 * Runs `mlc` behind the extension: one headless terminal session on the
 * Jupyter server, one typed line (`mlc --wire <base64>`), events read back
 * from the output, the session shut down whatever happens.
 *
 * The terminal is the only way a stock Jupyter server runs a command for us
 * with the user's own environment (PATH, the image's conda prefix), which is
 * why no server extension is involved.
 */
import type { Terminal } from '@jupyterlab/services';
import type { ISignal } from '@lumino/signaling';
import { encodeWireRequest, makeNonce, WIRE_FLAG, WireEventReader, type WireEvent } from '../core/wire';
import { parseMlcCommand, type MlcCommandProblem } from '../core/quote';
import { markTime } from './timing';

/** The part of a terminal connection the runner uses (a real one, or a test's fake). */
export interface IHeadlessTerminal {
  readonly connectionStatus: Terminal.ConnectionStatus;
  readonly connectionStatusChanged: ISignal<unknown, Terminal.ConnectionStatus>;
  readonly messageReceived: ISignal<unknown, Terminal.IMessage>;
  readonly disposed: ISignal<unknown, void>;
  readonly isDisposed: boolean;
  send(message: Terminal.IMessage): void;
  shutdown(): Promise<void>;
  dispose(): void;
}

/** The part of `serviceManager.terminals` the runner uses. */
export interface ITerminalService {
  isAvailable(): boolean;
  startNew(options?: { cwd?: string }): Promise<IHeadlessTerminal>;
}

/** What one `mlc` run reported. */
export interface IMlcOutcome {
  results: { command: string; data: unknown }[];
  errors: { message: string; hint?: string }[];
  exitCode: number;
}

/** Why a run failed before `mlc` could report its own outcome. */
export type MlcRunFailure =
  | { kind: 'bad-command-setting'; problem: MlcCommandProblem }
  | { kind: 'start-failed'; reason: string }
  | { kind: 'not-found'; shellLine: string; command: string }
  | { kind: 'launcher-error'; line: string }
  | { kind: 'closed' }
  | { kind: 'timeout'; seconds: number; lastLine: string };

/** A failed run; `failure` says which way, for the UI to word. */
export class MlcRunError extends Error {
  constructor(readonly failure: MlcRunFailure) {
    super(`mlc run failed: ${failure.kind}`);
    this.name = 'MlcRunError';
  }
}

export interface IRunOptions {
  /** Called with each `progress` event's message. */
  onProgress?: (message: string) => void;
  /** How long `mlc` may take, from the moment the line is typed. */
  timeoutMs?: number;
}

export interface IRunnerOptions {
  terminals: ITerminalService;
  /** The current `mlcCommand` setting (read at each run, so changes apply at once). */
  mlcCommand: () => string;
  /** The folder the session starts in (the server root), when known. */
  cwd?: string;
  /** Longest wait for the shell's first output before typing anyway. */
  promptGraceMs?: number;
  /** Default for `IRunOptions.timeoutMs`. */
  timeoutMs?: number;
  /** Source of the nonce bytes (crypto by default). */
  randomBytes?: (count: number) => Uint8Array;
}

export class TerminalMlcRunner {
  constructor(options: IRunnerOptions) {
    this._options = options;
  }

  /** Whether the server has terminals at all (if not, show the command to paste). */
  get isAvailable(): boolean {
    return this._options.terminals.isAvailable();
  }

  /** Run `mlc ARGS...`; resolves with what it reported, rejects with MlcRunError. */
  async run(args: string[], options: IRunOptions = {}): Promise<IMlcOutcome> {
    const command = parseMlcCommand(this._options.mlcCommand());
    if (!command.ok) {
      throw new MlcRunError({ kind: 'bad-command-setting', problem: command });
    }
    const randomBytes = this._options.randomBytes ?? Private.cryptoBytes;
    const nonce = makeNonce(randomBytes(12));
    // The leading space keeps the line out of shell history (HISTCONTROL=ignorespace).
    const line = ` ${command.words.join(' ')} ${WIRE_FLAG} ${encodeWireRequest({ nonce, args })}\r`;

    let session: IHeadlessTerminal;
    try {
      markTime('session-request');
      session = await this._options.terminals.startNew(this._options.cwd ? { cwd: this._options.cwd } : {});
    } catch (reason) {
      throw new MlcRunError({ kind: 'start-failed', reason: Private.messageOf(reason) });
    }
    markTime('session-started');
    try {
      return await new Private.Session(session, {
        line,
        nonce,
        commandWord: command.words[0],
        promptGraceMs: this._options.promptGraceMs ?? 3000,
        timeoutMs: options.timeoutMs ?? this._options.timeoutMs ?? 120000,
        onProgress: options.onProgress
      }).outcome;
    } finally {
      await Private.shutDown(session);
      markTime('session-closed');
    }
  }

  private readonly _options: IRunnerOptions;
}

/** The one line to show for a failed `mlc` outcome (its first error event), or null on success. */
export function outcomeProblem(outcome: IMlcOutcome): string | null {
  if (outcome.exitCode === 0 && outcome.errors.length === 0) {
    return null;
  }
  const error = outcome.errors[0];
  if (!error) {
    return `mlc exited with code ${outcome.exitCode}`;
  }
  return error.hint ? `${error.message}; ${error.hint}` : error.message;
}

namespace Private {
  export function cryptoBytes(count: number): Uint8Array {
    return crypto.getRandomValues(new Uint8Array(count));
  }

  export function messageOf(reason: unknown): string {
    return reason instanceof Error ? reason.message : String(reason);
  }

  /** Shut the server-side session down; a session already gone is fine. */
  export async function shutDown(session: IHeadlessTerminal): Promise<void> {
    try {
      await session.shutdown();
    } catch {
      // Already gone on the server (the shell exited): nothing to stop.
    } finally {
      session.dispose();
    }
  }

  /** Lines a shell prints when it cannot run the command word. */
  const NOT_FOUND = /command not found|: not found|no such file or directory|permission denied|not executable/i;

  /** The bundled launcher's own failure line (e.g. Node.js missing). */
  const LAUNCHER_ERROR = /^\s*mlc: error: .*/;

  /** ESC and BEL, named: the sequences below are made of them on purpose. */
  const ESC = String.fromCharCode(0x1b);
  const BEL = String.fromCharCode(0x07);

  /** Terminal colour and title sequences (OSC, CSI, charset), and carriage returns. */
  const ESCAPES = new RegExp(
    [
      `${ESC}\\][^${BEL}${ESC}]*(?:${BEL}|${ESC}\\\\)`,
      `${ESC}\\[[0-9;?]*[ -/]*[@-~]`,
      `${ESC}[()][0-9A-Za-z]`,
      '\\r'
    ].join('|'),
    'g'
  );

  export interface ISessionOptions {
    line: string;
    nonce: string;
    commandWord: string;
    promptGraceMs: number;
    timeoutMs: number;
    onProgress?: (message: string) => void;
  }

  type Timer = ReturnType<typeof setTimeout>;

  /** One run's state machine: connect, wait for the prompt, type, read until `end`. */
  export class Session {
    constructor(
      private readonly _terminal: IHeadlessTerminal,
      private readonly _options: ISessionOptions
    ) {
      this._reader = new WireEventReader(_options.nonce);
      this.outcome = new Promise<IMlcOutcome>((resolve, reject) => {
        this._resolve = resolve;
        this._reject = reject;
      });
      _terminal.connectionStatusChanged.connect(this._onStatus, this);
      _terminal.messageReceived.connect(this._onMessage, this);
      _terminal.disposed.connect(this._onDisposed, this);
      if (_terminal.isDisposed) {
        this._fail({ kind: 'closed' });
      } else if (_terminal.connectionStatus === 'connected') {
        this._onConnected();
      }
    }

    readonly outcome: Promise<IMlcOutcome>;

    private _onStatus(_: unknown, status: Terminal.ConnectionStatus): void {
      if (status === 'connected') {
        this._onConnected();
      } else if (status === 'disconnected') {
        this._fail({ kind: 'closed' });
      }
    }

    /**
     * The server's `setup` message has arrived (that is what makes the
     * connection `connected`). Type once the shell has printed something,
     * its prompt usually, or after a grace period for silent shells.
     */
    private _onConnected(): void {
      if (this._phase !== 'connecting') {
        return;
      }
      this._phase = 'prompt';
      markTime('connected');
      this._graceTimer = setTimeout(() => this._type(), this._options.promptGraceMs);
    }

    private _onMessage(_: unknown, message: Terminal.IMessage): void {
      if (message.type === 'disconnect') {
        this._fail({ kind: 'closed' });
        return;
      }
      if (message.type !== 'stdout') {
        return;
      }
      const text = String(message.content?.[0] ?? '');
      if (this._phase === 'prompt') {
        markTime('prompt');
        this._type();
        return;
      }
      if (this._phase === 'running') {
        this._read(text);
      }
    }

    private _onDisposed(): void {
      this._fail({ kind: 'closed' });
    }

    private _type(): void {
      if (this._phase !== 'prompt' && this._phase !== 'connecting') {
        return;
      }
      this._clearTimers();
      this._phase = 'running';
      // The timer first: sending may end the run at once (a shell that exits).
      this._timeoutTimer = setTimeout(
        () =>
          this._fail({
            kind: 'timeout',
            seconds: Math.round(this._options.timeoutMs / 1000),
            lastLine: this._lastLine
          }),
        this._options.timeoutMs
      );
      markTime('typed');
      this._terminal.send({ type: 'stdin', content: [this._options.line] });
    }

    private _read(text: string): void {
      for (const event of this._reader.push(text)) {
        this._onEvent(event);
        if (this._phase === 'done') {
          return;
        }
      }
      // Scan plain lines for a shell that could not run mlc at all.
      this._lineBuffer += text;
      const lines = this._lineBuffer.split('\n');
      this._lineBuffer = lines.pop() ?? '';
      for (const raw of lines) {
        const line = raw.replace(ESCAPES, '').trim();
        if (line.length === 0) {
          continue;
        }
        this._lastLine = line;
        if (line.includes('@@mlc:')) {
          continue;
        }
        const launcher = LAUNCHER_ERROR.exec(line);
        if (launcher) {
          this._fail({ kind: 'launcher-error', line: launcher[0].trim() });
          return;
        }
        if (NOT_FOUND.test(line) && line.includes(this._options.commandWord.replace(/^~\//, ''))) {
          this._fail({ kind: 'not-found', shellLine: line, command: this._options.commandWord });
          return;
        }
      }
    }

    private _onEvent(event: WireEvent): void {
      switch (event.type) {
        case 'progress':
          if (typeof event.message === 'string') {
            this._options.onProgress?.(event.message);
          }
          break;
        case 'result':
          markTime('result');
          this._results.push({ command: String(event.command), data: event.data });
          break;
        case 'error':
          this._errors.push({
            message: String(event.message),
            ...(typeof event.hint === 'string' ? { hint: event.hint } : {})
          });
          break;
        case 'end':
          markTime('end');
          this._finish({
            results: this._results,
            errors: this._errors,
            exitCode: typeof event.exitCode === 'number' ? event.exitCode : 1
          });
          break;
      }
    }

    private _finish(outcome: IMlcOutcome): void {
      if (this._phase === 'done') {
        return;
      }
      this._phase = 'done';
      this._detach();
      this._resolve(outcome);
    }

    private _fail(failure: MlcRunFailure): void {
      if (this._phase === 'done') {
        return;
      }
      this._phase = 'done';
      this._detach();
      this._reject(new MlcRunError(failure));
    }

    private _detach(): void {
      this._clearTimers();
      this._terminal.connectionStatusChanged.disconnect(this._onStatus, this);
      this._terminal.messageReceived.disconnect(this._onMessage, this);
      this._terminal.disposed.disconnect(this._onDisposed, this);
    }

    private _clearTimers(): void {
      if (this._graceTimer !== null) {
        clearTimeout(this._graceTimer);
        this._graceTimer = null;
      }
      if (this._timeoutTimer !== null) {
        clearTimeout(this._timeoutTimer);
        this._timeoutTimer = null;
      }
    }

    private _phase: 'connecting' | 'prompt' | 'running' | 'done' = 'connecting';
    private _graceTimer: Timer | null = null;
    private _timeoutTimer: Timer | null = null;
    private readonly _reader: WireEventReader;
    private _lineBuffer = '';
    private _lastLine = '';
    private readonly _results: IMlcOutcome['results'] = [];
    private readonly _errors: IMlcOutcome['errors'] = [];
    private _resolve: (outcome: IMlcOutcome) => void = () => undefined;
    private _reject: (reason: MlcRunError) => void = () => undefined;
  }
}
