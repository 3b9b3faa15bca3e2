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
import {
  encodeWireRequest,
  makeNonce,
  WIRE_FLAG,
  WireEventReader,
  type WireEvent
} from '../../core/wire';
import { CHANGE_PHASES, type ChangePhase } from '../../core/envLife';
import { parseMlcCommand, type MlcCommandProblem } from '../../core/quote';
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
  /** Called with each `progress` event's message, and its phase when it has one. */
  onProgress?: (message: string, phase?: ChangePhase) => void;
  /** How long `mlc` may take, from the moment the line is typed. */
  timeoutMs?: number;
  /** Called with each `result` event, as soon as it arrives (before `end`). */
  onResult?: (command: string, data: unknown) => void;
  /**
   * Called when the run is over: the session is shut down once the promise
   * it returns settles (null: at once). A shutdown is a server round trip
   * that would otherwise run alongside the caller's next request.
   */
  closeAfter?: () => Promise<unknown> | null;
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
  /** How long a session opened by `prepare()` waits for its run; 5 minutes by default. */
  warmIdleMs?: number;
}

export class TerminalMlcRunner {
  constructor(options: IRunnerOptions) {
    this._options = options;
  }

  /** Whether the server has terminals at all (if not, show the command to paste). */
  get isAvailable(): boolean {
    return this._options.terminals.isAvailable();
  }

  /**
   * Open the next run's session now (when a dialog opens), so that its
   * shell, a login shell on most servers, is at its prompt by the time the
   * user confirms: that start is most of the wait otherwise. Unused, it is
   * shut down after `warmIdleMs` or by `release()`.
   */
  prepare(): void {
    if (this._warm !== null || !this.isAvailable) {
      return;
    }
    const warm = new Private.WarmSession(this._startSession());
    this._warm = warm;
    warm.idleTimer = setTimeout(
      () => {
        if (this._warm === warm) {
          this.release();
        }
      },
      this._options.warmIdleMs ?? 5 * 60 * 1000
    );
  }

  /** Shut the session `prepare()` opened down (the dialog was cancelled). */
  release(): void {
    const warm = this._warm;
    this._warm = null;
    if (warm) {
      this._track(warm.close());
    }
  }

  /** Run `mlc ARGS...`; resolves with what it reported, rejects with MlcRunError. */
  async run(args: string[], options: IRunOptions = {}): Promise<IMlcOutcome> {
    const command = parseMlcCommand(this._options.mlcCommand());
    if (!command.ok) {
      this.release(); // no run will take a prepared session
      throw new MlcRunError({ kind: 'bad-command-setting', problem: command });
    }
    const randomBytes = this._options.randomBytes ?? Private.cryptoBytes;
    const nonce = makeNonce(randomBytes(12));
    // The leading space keeps the line out of shell history (HISTCONTROL=ignorespace).
    const line = ` ${command.words.join(' ')} ${WIRE_FLAG} ${encodeWireRequest({ nonce, args })}\r`;

    // A prepared session, when there is a live one: each session serves one run.
    const warm = this._warm;
    this._warm = null;
    markTime('session-request');
    const taken = warm ? await warm.take() : null;
    if (warm && !taken) {
      this._track(warm.close());
    }
    let session: IHeadlessTerminal;
    if (taken) {
      session = taken.terminal;
    } else {
      try {
        session = await this._startSession();
      } catch (reason) {
        throw new MlcRunError({
          kind: 'start-failed',
          reason: Private.messageOf(reason)
        });
      }
    }
    markTime('session-started');
    try {
      return await new Private.Session(session, {
        line,
        nonce,
        commandWord: command.words[0],
        prompted: taken?.prompted ?? false,
        promptGraceMs: this._options.promptGraceMs ?? 3000,
        timeoutMs: options.timeoutMs ?? this._options.timeoutMs ?? 120000,
        onProgress: options.onProgress,
        onResult: options.onResult
      }).outcome;
    } finally {
      // Not awaited: the outcome is known, and the caller's next step (the
      // specs refresh) need not wait a server round trip for the shutdown.
      const after = options.closeAfter?.() ?? Promise.resolve();
      this._track(
        after.then(
          () => Private.shutDown(session),
          () => Private.shutDown(session)
        )
      );
    }
  }

  /** Settles once every session this runner opened is shut down on the server. */
  async whenClosed(): Promise<void> {
    while (this._closing.size > 0) {
      await Promise.all([...this._closing]);
    }
  }

  private _track(closing: Promise<void>): void {
    this._closing.add(closing);
    void closing.then(() => this._closing.delete(closing));
  }

  private _startSession(): Promise<IHeadlessTerminal> {
    return this._options.terminals.startNew(
      this._options.cwd ? { cwd: this._options.cwd } : {}
    );
  }

  private _warm: Private.WarmSession | null = null;
  private readonly _closing = new Set<Promise<void>>();

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

  /**
   * Ask the server to end the session and drop our connection at once; the
   * request finishes on its own, and a session already gone (the shell
   * exited) is fine.
   */
  export function shutDown(session: IHeadlessTerminal): Promise<void> {
    let request: Promise<void>;
    try {
      request = session.shutdown();
    } catch {
      request = Promise.resolve();
    }
    session.dispose();
    return request
      .catch(() => undefined)
      .then(() => markTime('session-closed'));
  }

  /**
   * A session opened ahead of its run. Until the run takes it, it notes
   * whether the shell has printed anything (its prompt, usually), which the
   * run then need not wait for.
   */
  export class WarmSession {
    constructor(start: Promise<IHeadlessTerminal>) {
      this._terminal = start.then(
        terminal => {
          terminal.messageReceived.connect(this._onMessage, this);
          return terminal;
        },
        () => null
      );
    }

    idleTimer: ReturnType<typeof setTimeout> | null = null;

    /** The live session and whether its shell printed; null when it failed or died (then `close()` it). */
    async take(): Promise<{
      terminal: IHeadlessTerminal;
      prompted: boolean;
    } | null> {
      this._clearIdle();
      const terminal = await this._terminal;
      if (!terminal) {
        return null;
      }
      terminal.messageReceived.disconnect(this._onMessage, this);
      if (terminal.isDisposed || terminal.connectionStatus === 'disconnected') {
        return null; // the caller closes it
      }
      return { terminal, prompted: this._printed };
    }

    /** Shut it down, now or once it has started. */
    async close(): Promise<void> {
      this._clearIdle();
      const terminal = await this._terminal;
      if (terminal) {
        terminal.messageReceived.disconnect(this._onMessage, this);
        await shutDown(terminal);
      }
    }

    private _onMessage(_: unknown, message: Terminal.IMessage): void {
      if (message.type === 'stdout') {
        this._printed = true;
      }
    }

    private _clearIdle(): void {
      if (this.idleTimer !== null) {
        clearTimeout(this.idleTimer);
        this.idleTimer = null;
      }
    }

    private readonly _terminal: Promise<IHeadlessTerminal | null>;
    private _printed = false;
  }

  /** Lines a shell prints when it cannot run the command word. */
  const NOT_FOUND =
    /command not found|: not found|no such file or directory|permission denied|not executable/i;

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
    /** The shell has printed its prompt already (a prepared session): type at once. */
    prompted: boolean;
    promptGraceMs: number;
    timeoutMs: number;
    onProgress?: (message: string, phase?: ChangePhase) => void;
    onResult?: (command: string, data: unknown) => void;
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
      if (this._options.prompted) {
        this._type();
        return;
      }
      this._graceTimer = setTimeout(
        () => this._type(),
        this._options.promptGraceMs
      );
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
        if (
          NOT_FOUND.test(line) &&
          line.includes(this._options.commandWord.replace(/^~\//, ''))
        ) {
          this._fail({
            kind: 'not-found',
            shellLine: line,
            command: this._options.commandWord
          });
          return;
        }
      }
    }

    private _onEvent(event: WireEvent): void {
      switch (event.type) {
        case 'progress':
          if (typeof event.message === 'string') {
            const phase = CHANGE_PHASES.find(known => known === event.phase);
            this._options.onProgress?.(event.message, phase);
          }
          break;
        case 'result':
          markTime('result');
          this._results.push({
            command: String(event.command),
            data: event.data
          });
          this._options.onResult?.(String(event.command), event.data);
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
