/**
 * TerminalMlcRunner against a scripted terminal connection: when it types,
 * what it types, how it reads the output back, and that the session is
 * always shut down. (tests/integration/envsTerminal.test.ts runs it against
 * a real Jupyter server's terminals.)
 */
import type { Terminal } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';
import {
  decodeWireRequest,
  formatWireEvent,
  type WireEvent
} from '../../src/core/wire';
import {
  MlcRunError,
  outcomeProblem,
  TerminalMlcRunner,
  type IHeadlessTerminal,
  type ITerminalService,
  type MlcRunFailure
} from '../../src/lab/envActions/terminalTransport';

class FakeTerminal implements IHeadlessTerminal {
  connectionStatus: Terminal.ConnectionStatus = 'connecting';
  readonly connectionStatusChanged = new Signal<
    this,
    Terminal.ConnectionStatus
  >(this);
  readonly messageReceived = new Signal<this, Terminal.IMessage>(this);
  readonly disposed = new Signal<this, void>(this);
  isDisposed = false;
  sent: Terminal.IMessage[] = [];
  shutdowns = 0;
  shutdownFails = false;
  /** Called with each typed line, to play the shell. */
  onLine: (line: string) => void = () => undefined;

  send(message: Terminal.IMessage): void {
    this.sent.push(message);
    if (message.type === 'stdin') {
      this.onLine(String(message.content?.[0] ?? ''));
    }
  }
  async shutdown(): Promise<void> {
    this.shutdowns += 1;
    if (this.shutdownFails) {
      throw new Error('404: terminal not found');
    }
  }
  dispose(): void {
    if (!this.isDisposed) {
      this.isDisposed = true;
      this.disposed.emit();
    }
  }
  /** The server's `setup` message arrived. */
  connect(): void {
    this.connectionStatus = 'connected';
    this.connectionStatusChanged.emit('connected');
  }
  stdout(text: string): void {
    this.messageReceived.emit({ type: 'stdout', content: [text] });
  }
}

class FakeTerminals implements ITerminalService {
  constructor(readonly terminal: FakeTerminal) {}
  started: { cwd?: string }[] = [];
  available = true;
  failStart: Error | null = null;
  isAvailable(): boolean {
    return this.available;
  }
  async startNew(options: { cwd?: string } = {}): Promise<IHeadlessTerminal> {
    if (this.failStart) {
      throw this.failStart;
    }
    this.started.push(options);
    return this.terminal;
  }
}

/** Let pending promise callbacks run (startNew resolving, and so on). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
  }
}

function setUp(mlcCommand = 'mlc') {
  const terminal = new FakeTerminal();
  const terminals = new FakeTerminals(terminal);
  const runner = new TerminalMlcRunner({
    terminals,
    mlcCommand: () => mlcCommand,
    cwd: '/srv/root',
    promptGraceMs: 1000,
    timeoutMs: 60000
  });
  return { terminal, terminals, runner };
}

/** Play a shell: echo the line with CRLF, then print `output` as mlc would through a tty. */
function playShell(
  terminal: FakeTerminal,
  respond: (nonce: string, args: string[]) => string[]
): void {
  terminal.onLine = line => {
    const match = /^ (\S+(?: \S+)*) --wire ([A-Za-z0-9+/=]+)\r$/.exec(line);
    const request = decodeWireRequest(match ? match[2] : '');
    terminal.stdout(`${line.trimStart().replace('\r', '')}\r\n`);
    // Deliver asynchronously, in uneven chunks, as a websocket would.
    const text = respond(request.nonce, request.args).join('\r\n') + '\r\n$ ';
    void (async () => {
      for (let at = 0; at < text.length; at += 7) {
        await Promise.resolve();
        terminal.stdout(text.slice(at, at + 7));
      }
    })();
  };
}

function events(nonce: string, list: WireEvent[]): string[] {
  return list.map(event => formatWireEvent(event, nonce));
}

async function failureOf(promise: Promise<unknown>): Promise<MlcRunFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MlcRunError);
    return (error as MlcRunError).failure;
  }
  throw new Error('the run did not fail');
}

afterEach(() => {
  jest.useRealTimers();
});

describe('TerminalMlcRunner', () => {
  it('types nothing before the setup message and the first output, then exactly one line', async () => {
    const { terminal, terminals, runner } = setUp();
    playShell(terminal, nonce => events(nonce, [{ type: 'end', exitCode: 0 }]));
    const run = runner.run(['env', 'list']);
    await settle();
    expect(terminals.started).toEqual([{ cwd: '/srv/root' }]);
    expect(terminal.sent).toEqual([]);
    terminal.connect();
    await settle();
    expect(terminal.sent).toEqual([]);
    terminal.stdout('\x1b]0;u@hub: ~\x07u@hub:~$ ');
    await run;
    expect(terminal.sent).toHaveLength(1);
    const typed = String(terminal.sent[0].content?.[0]);
    expect(typed).toMatch(/^ mlc --wire [A-Za-z0-9+/]+=*\r$/);
    expect(decodeWireRequest(typed.trim().split(' ')[2]).args).toEqual([
      'env',
      'list'
    ]);
  });

  it('collects progress, results and the exit code, then shuts the session down', async () => {
    const { terminal, runner } = setUp();
    const data = {
      prefix: "/home/u/it's my env",
      kernelName: 'mlc-it-s-my-env-0a1b2c3d'
    };
    playShell(terminal, nonce => [
      'some warning from the shell profile',
      ...events(nonce, [
        { type: 'progress', message: 'linking the base' },
        { type: 'progress', message: 'registering the kernel' },
        { type: 'result', command: 'env create', data },
        { type: 'end', exitCode: 0 }
      ])
    ]);
    const progress: string[] = [];
    const run = runner.run(['env', 'create', "/home/u/it's my env"], {
      onProgress: m => progress.push(m)
    });
    await settle();
    terminal.connect();
    terminal.stdout('$ ');
    const outcome = await run;
    expect(progress).toEqual(['linking the base', 'registering the kernel']);
    expect(outcome).toEqual({
      results: [{ command: 'env create', data }],
      errors: [],
      exitCode: 0
    });
    expect(outcomeProblem(outcome)).toBeNull();
    expect(terminal.shutdowns).toBe(1);
    expect(terminal.isDisposed).toBe(true);
  });

  it("reports mlc's error events as one line", async () => {
    const { terminal, runner } = setUp();
    playShell(terminal, nonce =>
      events(nonce, [
        {
          type: 'error',
          message: '/home/u/envs/a exists and is not empty',
          hint: 'choose another name'
        },
        { type: 'end', exitCode: 2 }
      ])
    );
    const run = runner.run(['env', 'create', '/home/u/envs/a']);
    await settle();
    terminal.connect();
    terminal.stdout('$ ');
    const outcome = await run;
    expect(outcome.exitCode).toBe(2);
    expect(outcomeProblem(outcome)).toBe(
      '/home/u/envs/a exists and is not empty; choose another name'
    );
    expect(outcomeProblem({ results: [], errors: [], exitCode: 3 })).toBe(
      'mlc exited with code 3'
    );
  });

  it.each([
    ['bash', 'bash: mlc: command not found'],
    ['zsh', 'zsh: command not found: mlc'],
    ['tcsh', 'mlc: Command not found.'],
    ['dash', 'sh: 1: mlc: not found']
  ])('says clearly when %s cannot find mlc', async (_shell, message) => {
    const { terminal, runner } = setUp();
    playShell(terminal, () => [message]);
    const run = runner.run(['env', 'list']);
    await settle();
    terminal.connect();
    terminal.stdout('$ ');
    expect(await failureOf(run)).toEqual({
      kind: 'not-found',
      shellLine: message,
      command: 'mlc'
    });
    expect(terminal.shutdowns).toBe(1);
  });

  it("passes on the launcher's own error line (Node.js missing)", async () => {
    const { terminal, runner } = setUp('/opt/conda/bin/mlc');
    const line =
      'mlc: error: Node.js (>= 18) is not on PATH; install it or set MLC_NODE to its path';
    playShell(terminal, () => [line]);
    const run = runner.run(['env', 'list']);
    await settle();
    terminal.connect();
    terminal.stdout('$ ');
    expect(await failureOf(run)).toEqual({ kind: 'launcher-error', line });
  });

  it('types after a grace period when the shell prints no prompt', async () => {
    jest.useFakeTimers();
    const { terminal, runner } = setUp();
    playShell(terminal, nonce => events(nonce, [{ type: 'end', exitCode: 0 }]));
    const run = runner.run(['env', 'list']);
    await settle();
    terminal.connect();
    expect(terminal.sent).toEqual([]);
    jest.advanceTimersByTime(1000);
    expect(terminal.sent).toHaveLength(1);
    jest.useRealTimers();
    await expect(run).resolves.toMatchObject({ exitCode: 0 });
  });

  it('gives up after the timeout, names it, and still shuts the session down', async () => {
    jest.useFakeTimers();
    const { terminal, runner } = setUp();
    playShell(terminal, () => ['still linking...']);
    const run = runner.run(['env', 'create', '/x'], { timeoutMs: 5000 });
    const failure = failureOf(run);
    await settle();
    terminal.connect();
    terminal.stdout('$ ');
    for (let i = 0; i < 20; i++) {
      await Promise.resolve();
    }
    jest.advanceTimersByTime(5000);
    expect(await failure).toEqual({
      kind: 'timeout',
      seconds: 5,
      lastLine: 'still linking...'
    });
    expect(terminal.shutdowns).toBe(1);
  });

  it('fails when the shell exits before mlc ends, even if the session is already gone', async () => {
    const { terminal, runner } = setUp();
    terminal.shutdownFails = true;
    terminal.onLine = () => terminal.dispose();
    const run = runner.run(['env', 'list']);
    await settle();
    terminal.connect();
    terminal.stdout('$ ');
    expect(await failureOf(run)).toEqual({ kind: 'closed' });
    expect(terminal.shutdowns).toBe(1);
  });

  it('says when no terminal could be started', async () => {
    const { terminals, runner } = setUp();
    terminals.failStart = new Error('403: Forbidden');
    expect(await failureOf(runner.run(['env', 'list']))).toEqual({
      kind: 'start-failed',
      reason: '403: Forbidden'
    });
  });

  it('refuses an mlcCommand setting with shell syntax before starting any terminal', async () => {
    const { terminals, runner } = setUp('mlc; rm -rf ~');
    const failure = await failureOf(runner.run(['env', 'list']));
    expect(failure.kind).toBe('bad-command-setting');
    expect(terminals.started).toEqual([]);
  });

  it('ignores events of another run and lines that merely look alike', async () => {
    const { terminal, runner } = setUp();
    playShell(terminal, nonce => [
      formatWireEvent({ type: 'end', exitCode: 9 }, 'ffffffffffffffffffffffff'),
      '@@mlc:@@{"type":"end","exitCode":8}',
      ...events(nonce, [{ type: 'end', exitCode: 0 }])
    ]);
    const run = runner.run(['env', 'list']);
    await settle();
    terminal.connect();
    terminal.stdout('$ ');
    await expect(run).resolves.toEqual({
      results: [],
      errors: [],
      exitCode: 0
    });
  });
});

describe('a session prepared ahead of its run', () => {
  it('is started at once and, its prompt printed, gets the line without any wait', async () => {
    const { terminal, terminals, runner } = setUp();
    runner.prepare();
    runner.prepare(); // one prepared session at a time
    await settle();
    expect(terminals.started).toEqual([{ cwd: '/srv/root' }]);
    terminal.connect();
    terminal.stdout('u@hub:~$ ');
    playShell(terminal, nonce => events(nonce, [{ type: 'end', exitCode: 0 }]));
    jest.useFakeTimers();
    const run = runner.run(['env', 'list']);
    await settle();
    // Typed without the first-output wait or the grace period (no timer has run).
    expect(terminal.sent).toHaveLength(1);
    jest.useRealTimers();
    expect((await run).exitCode).toBe(0);
    expect(terminals.started).toHaveLength(1);
    expect(terminal.shutdowns).toBe(1);
    expect(terminal.isDisposed).toBe(true);
  });

  it('still waits for the prompt when the shell has printed nothing yet', async () => {
    const { terminal, runner } = setUp();
    runner.prepare();
    await settle();
    terminal.connect();
    playShell(terminal, nonce => events(nonce, [{ type: 'end', exitCode: 0 }]));
    const run = runner.run(['env', 'list']);
    await settle();
    expect(terminal.sent).toEqual([]);
    terminal.stdout('$ ');
    expect((await run).exitCode).toBe(0);
  });

  it('is shut down when the dialog is cancelled, or when left unused', async () => {
    const { terminal, runner } = setUp();
    runner.prepare();
    runner.release();
    await settle();
    expect(terminal.shutdowns).toBe(1);
    expect(terminal.isDisposed).toBe(true);

    jest.useFakeTimers();
    const idle = setUp();
    const idleRunner = new TerminalMlcRunner({
      terminals: idle.terminals,
      mlcCommand: () => 'mlc',
      warmIdleMs: 1000
    });
    idleRunner.prepare();
    await settle();
    jest.advanceTimersByTime(999);
    await settle();
    expect(idle.terminal.shutdowns).toBe(0);
    jest.advanceTimersByTime(1);
    await settle();
    expect(idle.terminal.shutdowns).toBe(1);
  });

  it('is replaced by a new session when it could not start', async () => {
    const { terminal, terminals, runner } = setUp();
    terminals.failStart = new Error('terminals are busy');
    runner.prepare();
    await settle();
    terminals.failStart = null;
    playShell(terminal, nonce => events(nonce, [{ type: 'end', exitCode: 0 }]));
    const run = runner.run(['env', 'list']);
    await settle();
    terminal.connect();
    terminal.stdout('$ ');
    expect((await run).exitCode).toBe(0);
    expect(terminals.started).toHaveLength(1);
  });

  it('hands each result on as it arrives, before the end', async () => {
    const { terminal, runner } = setUp();
    const seen: string[] = [];
    playShell(terminal, nonce =>
      events(nonce, [
        { type: 'result', command: 'env create', data: { prefix: '/h/a' } },
        { type: 'end', exitCode: 0 }
      ])
    );
    const run = runner.run(['env', 'create', '/h/a'], {
      onResult: command => seen.push(command)
    });
    await settle();
    terminal.connect();
    terminal.stdout('$ ');
    const outcome = await run;
    expect(seen).toEqual(['env create']);
    expect(outcome.results).toHaveLength(1);
  });
});

describe('closing the session', () => {
  it("waits for closeAfter, so the caller's request does not share the server with the shutdown", async () => {
    const { terminal, runner } = setUp();
    playShell(terminal, nonce =>
      events(nonce, [
        { type: 'result', command: 'env create', data: {} },
        { type: 'end', exitCode: 0 }
      ])
    );
    let finishRefresh: () => void = () => undefined;
    const refresh = new Promise<void>(resolve => {
      finishRefresh = resolve;
    });
    const run = runner.run(['env', 'create', '/h/a'], {
      closeAfter: () => refresh
    });
    await settle();
    terminal.connect();
    terminal.stdout('$ ');
    await run;
    await settle();
    expect(terminal.shutdowns).toBe(0);
    finishRefresh();
    await settle();
    expect(terminal.shutdowns).toBe(1);
    expect(terminal.isDisposed).toBe(true);
  });
});

describe('a prepared session and a bad mlcCommand setting', () => {
  it('is shut down at once when the run is refused', async () => {
    const { terminal, runner } = setUp('mlc; rm -rf ~');
    runner.prepare();
    await settle();
    expect((await failureOf(runner.run(['env', 'list']))).kind).toBe(
      'bad-command-setting'
    );
    await runner.whenClosed();
    expect(terminal.shutdowns).toBe(1);
    expect(terminal.sent).toEqual([]);
  });
});
