/**
 * A kernel client for the tests, over a real server's REST API and kernel
 * websocket: @jupyterlab/services (the client JupyterLab itself uses) in
 * Node, with the `ws` package standing in for the browser's WebSocket.
 */
import {
  Kernel,
  KernelManager,
  KernelMessage,
  ServerConnection
} from '@jupyterlab/services';
import WebSocket from 'ws';
import type { IJupyterServer } from './jupyter';

/** What a kernel reported for one execution. */
export interface IKernelRun {
  stdout: string;
  stderr: string;
  /** `text/plain` of the execute_result, if the code's last line had a value. */
  result: string | null;
  /** The kernel's error reply, if the code raised. */
  error: { ename: string; evalue: string; traceback: string[] } | null;
}

/**
 * Start a kernel through the server's REST API, run `code` over the kernel
 * websocket, and shut the kernel down (also when the code fails).
 *
 * A kernel that dies or restarts (its interpreter could not start) fails the
 * run at once, with the server's log, which holds the kernel's stderr.
 */
export async function runInKernel(
  server: IJupyterServer,
  kernelName: string,
  code: string
): Promise<IKernelRun> {
  const manager = new KernelManager({
    serverSettings: Private.settings(server)
  });
  let kernel: Kernel.IKernelConnection | null = null;
  const starting = manager.ready.then(() =>
    manager.startNew({ name: kernelName })
  );
  try {
    const started = await Private.withDeadline(
      starting,
      Private.KERNEL_LIMIT_MS,
      `starting kernel ${kernelName}`
    );
    kernel = started;
    return await Private.withDeadline(
      Private.execute(started, code),
      Private.KERNEL_LIMIT_MS,
      `running code in kernel ${kernelName}`
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nserver log:\n${Private.tail(server.log())}`
    );
  } finally {
    if (kernel) {
      // A dead kernel may refuse the shutdown request; stopping the server reaps it.
      await Private.withDeadline(
        kernel.shutdown(),
        15000,
        'shutting the kernel down'
      ).catch(() => undefined);
      kernel.dispose();
    }
    // A kernel that arrived after the deadline: close its connection too.
    void starting.then(
      late => late.dispose(),
      () => undefined
    );
    manager.dispose();
  }
}

namespace Private {
  export function settings(server: IJupyterServer): ServerConnection.ISettings {
    return ServerConnection.makeSettings({
      baseUrl: server.baseUrl,
      wsUrl: server.baseUrl.replace(/^http/, 'ws'),
      token: server.token,
      appendToken: true,
      // The `ws` client stands in for the browser's WebSocket; the types differ only in DOM-only members.
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket
    });
  }

  /** How long starting a kernel, or running the probe code in it, may take. */
  export const KERNEL_LIMIT_MS = 90000;

  /** `work`, or a rejection naming `what` once `ms` have passed. */
  export function withDeadline<T>(
    work: Promise<T>,
    ms: number,
    what: string
  ): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} took longer than ${ms / 1000}s`)),
        ms
      );
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  /**
   * Run one execute_request and gather its IOPub output and reply; reject as
   * soon as the kernel is reported dead or restarting.
   */
  export async function execute(
    kernel: Kernel.IKernelConnection,
    code: string
  ): Promise<IKernelRun> {
    let onStatus:
      | ((sender: Kernel.IKernelConnection, status: Kernel.Status) => void)
      | null = null;
    const died = new Promise<never>((_, reject) => {
      onStatus = (_sender, status) => {
        if (
          status === 'dead' ||
          status === 'autorestarting' ||
          status === 'restarting'
        ) {
          reject(new Error(`kernel ${kernel.name} went ${status}`));
        }
      };
      kernel.statusChanged.connect(onStatus);
    });
    try {
      return await Promise.race([collect(kernel, code), died]);
    } finally {
      if (onStatus) {
        kernel.statusChanged.disconnect(onStatus);
      }
    }
  }

  async function collect(
    kernel: Kernel.IKernelConnection,
    code: string
  ): Promise<IKernelRun> {
    const run: IKernelRun = {
      stdout: '',
      stderr: '',
      result: null,
      error: null
    };
    const future = kernel.requestExecute({
      code,
      stop_on_error: true,
      store_history: false
    });
    future.onIOPub = (message: KernelMessage.IIOPubMessage): void => {
      if (KernelMessage.isStreamMsg(message)) {
        run[message.content.name] += message.content.text;
      } else if (KernelMessage.isExecuteResultMsg(message)) {
        run.result = String(message.content.data['text/plain'] ?? '');
      } else if (KernelMessage.isErrorMsg(message)) {
        const { ename, evalue, traceback } = message.content;
        run.error = { ename, evalue, traceback };
      }
    };
    await future.done;
    return run;
  }

  /** The last lines of the server's log, which holds the kernels' stderr. */
  export function tail(text: string): string {
    return text.split('\n').slice(-30).join('\n');
  }
}
