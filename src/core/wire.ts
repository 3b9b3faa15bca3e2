/**
 * The wire format between the extension and `mlc` (docs/architecture.md, "Run time,
 * extended env").
 *
 * The extension types one line into a headless terminal:
 *
 *     mlc --wire <base64 of {"nonce": ..., "args": [...]}>
 *
 * Base64 uses only `A-Za-z0-9+/=`, which bash, zsh and tcsh all pass through
 * unquoted, so no shell ever parses user text. `mlc` answers with one event a
 * line, each prefixed by a marker built from the nonce. The nonce never
 * appears in clear in the echoed command line (it is inside the base64), so
 * a marker in the terminal output can only come from `mlc`.
 *
 * Without `--wire`, `mlc ... --json` prints the same events unprefixed, one
 * JSON object a line, for scripts.
 */

/** One event from `mlc`. */
export type WireEvent =
  | {
      type: 'progress';
      message: string;
      /** The phase of a package change (env install/uninstall/rollback/rebase). */
      phase?: 'resolve' | 'download' | 'install' | 'verify';
    }
  | { type: 'warning'; message: string }
  | { type: 'result'; command: string; data: unknown }
  | { type: 'error'; message: string; hint?: string }
  | { type: 'end'; exitCode: number };

/** What the extension sends: the arguments after `mlc`, and the marker nonce. */
export interface IWireRequest {
  nonce: string;
  args: string[];
}

/** The flag `mlc` takes the encoded request with. */
export const WIRE_FLAG = '--wire';

/**
 * The only verbs `mlc --wire` runs: what the extension sends (src/lab/envActions/
 * mlcArgs.ts). Anything else arriving over the wire is refused, so a page
 * that can type into a terminal cannot reach the rest of `mlc` this way.
 */
export const WIRE_VERBS: ReadonlyArray<readonly [string, string]> = [
  ['env', 'create'],
  ['env', 'list'],
  ['env', 'check'],
  ['env', 'remove'],
  ['env', 'install'],
  ['env', 'uninstall'],
  ['env', 'history'],
  ['env', 'rollback'],
  ['env', 'export'],
  ['env', 'rebase'],
  ['env', 'dask-config']
];

/** The marker that starts every event line for this nonce. */
export function wireMarker(nonce: string): string {
  return `@@mlc:${nonce}@@`;
}

/** A nonce of 24 hex digits from the caller's random source. */
export function makeNonce(randomBytes: Uint8Array): string {
  return Array.from(randomBytes.slice(0, 12), b =>
    b.toString(16).padStart(2, '0')
  ).join('');
}

/** Encode a request as UTF-8 JSON in base64 (browser and Node alike). */
export function encodeWireRequest(request: IWireRequest): string {
  return Private.toBase64(new TextEncoder().encode(JSON.stringify(request)));
}

/** Decode what `encodeWireRequest` made; throws a one-line Error when malformed. */
export function decodeWireRequest(encoded: string): IWireRequest {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) {
    throw new Error('the --wire argument is not base64');
  }
  let value: unknown;
  try {
    value = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(
        Private.fromBase64(encoded)
      )
    );
  } catch {
    throw new Error('the --wire argument does not decode to JSON');
  }
  const request = value as Partial<IWireRequest>;
  if (
    typeof request !== 'object' ||
    request === null ||
    typeof request.nonce !== 'string' ||
    !/^[0-9a-f]{8,64}$/.test(request.nonce) ||
    !Array.isArray(request.args) ||
    !request.args.every(arg => typeof arg === 'string')
  ) {
    throw new Error('the --wire request needs a hex "nonce" and string "args"');
  }
  return { nonce: request.nonce, args: request.args };
}

/** Format one event line as `mlc` prints it (marker omitted when nonce is null). */
export function formatWireEvent(
  event: WireEvent,
  nonce: string | null
): string {
  const json = JSON.stringify(event);
  return nonce === null ? json : `${wireMarker(nonce)}${json}`;
}

/**
 * Collects events from terminal output that arrives in arbitrary chunks,
 * with prompts, echo and colour codes around them.
 */
export class WireEventReader {
  constructor(nonce: string) {
    this._marker = wireMarker(nonce);
  }

  /** Feed a chunk of output; returns the complete events it finished. */
  push(chunk: string): WireEvent[] {
    const events: WireEvent[] = [];
    // Scan only what is new: rescanning the buffer for every chunk is quadratic.
    let start = 0;
    let newline = chunk.indexOf('\n');
    while (newline >= 0) {
      const line = this._buffer + chunk.slice(start, newline);
      this._buffer = '';
      if (!this._overlong) {
        const event = Private.parseLine(line, this._marker);
        if (event) {
          events.push(event);
        }
      }
      this._overlong = false;
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    if (!this._overlong) {
      this._buffer += chunk.slice(start);
      if (this._buffer.length > MAX_LINE_LENGTH) {
        // No event of ours is this long: drop the line, keep memory bounded.
        this._buffer = '';
        this._overlong = true;
      }
    }
    return events;
  }

  private _buffer = '';
  /** The current line grew past MAX_LINE_LENGTH and is being skipped. */
  private _overlong = false;
  private readonly _marker: string;
}

/** Longer lines are not events (the largest results are a few hundred KB). */
export const MAX_LINE_LENGTH = 64 * 1024 * 1024;

namespace Private {
  const ALPHABET =
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

  export function toBase64(bytes: Uint8Array): string {
    let out = '';
    for (let i = 0; i < bytes.length; i += 3) {
      const n =
        (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
      out += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
      out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : '=';
      out += i + 2 < bytes.length ? ALPHABET[n & 63] : '=';
    }
    return out;
  }

  export function fromBase64(text: string): Uint8Array {
    const clean = text.replace(/=+$/, '');
    const bytes: number[] = [];
    let bits = 0;
    let value = 0;
    for (const char of clean) {
      value = (value << 6) | ALPHABET.indexOf(char);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        bytes.push((value >> bits) & 255);
      }
    }
    return new Uint8Array(bytes);
  }

  /** A CSI escape sequence (colours, cursor moves), built from ESC's name. */
  const ANSI_SEQUENCE = new RegExp(
    `${String.fromCharCode(0x1b)}\\[[0-9;?]*[ -/]*[@-~]`,
    'g'
  );

  /** Strip ANSI escapes and carriage returns a terminal adds. */
  function clean(line: string): string {
    return line.replace(ANSI_SEQUENCE, '').replace(/\r/g, '');
  }

  export function parseLine(line: string, marker: string): WireEvent | null {
    const text = clean(line);
    const at = text.indexOf(marker);
    if (at < 0) {
      return null;
    }
    try {
      const event = JSON.parse(text.slice(at + marker.length)) as WireEvent;
      return typeof event === 'object' &&
        event !== null &&
        typeof event.type === 'string'
        ? event
        : null;
    } catch {
      return null;
    }
  }
}
