/** Free loopback ports for the daemons of the hub tests. */
import * as net from 'net';

/** A port on 127.0.0.1 that nothing listens on at the moment of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolve once `check` returns a value, polling every `everyMs`; reject after `limitMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null>,
  limitMs: number,
  everyMs = 500
): Promise<T> {
  const deadline = Date.now() + limitMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== null) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    await new Promise(resolve => setTimeout(resolve, everyMs));
  }
  const reason = lastError ? `: ${(lastError as Error).message}` : '';
  throw new Error(`${what} did not happen within ${limitMs / 1000}s${reason}`);
}
