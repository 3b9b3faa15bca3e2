/**
 * WireEventReader against what a terminal really sends: the echoed command,
 * prompts with colour and title sequences, CRLF line ends, other programs'
 * output, and chunks cut anywhere (mid-line, mid-marker, between CR and LF).
 */
import { spawnSync } from 'child_process';
import {
  encodeWireRequest,
  formatWireEvent,
  makeNonce,
  WireEventReader,
  wireMarker,
  type WireEvent
} from '../../src/core/wire';

const NONCE = makeNonce(
  Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
);
const OTHER_NONCE = makeNonce(
  Uint8Array.from([9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9])
);

const EVENTS: WireEvent[] = [
  { type: 'progress', message: 'mirroring bin/ (312 links)' },
  { type: 'progress', message: 'registering kernel "Mein Env ü 日本"' },
  {
    type: 'result',
    command: 'env create',
    data: { prefix: "/home/u/it's $(x); env", elapsedMs: 412 }
  },
  { type: 'error', message: 'the base is not writable', hint: 'nothing to do' },
  { type: 'end', exitCode: 0 }
];

/** A session as xterm would receive it from bash: CRLF, colours, a title, the echo. */
function transcript(): string {
  const request = encodeWireRequest({
    nonce: NONCE,
    args: ['env', 'create', '/home/u/my env']
  });
  const prompt =
    '\x1b]0;u@hub: ~\x07\x1b[01;32mu@hub\x1b[00m:\x1b[01;34m~\x1b[00m$ ';
  const lines = [
    `${prompt} mlc --wire ${request}`,
    'Collecting numpy (from a pip run the env prints)',
    ...EVENTS.slice(0, 2).map(e => formatWireEvent(e, NONCE)),
    // Another run's marker and a garbled line must not count.
    formatWireEvent({ type: 'end', exitCode: 3 }, OTHER_NONCE),
    `${wireMarker(NONCE)}{"type":"progress","message":"cut`,
    // Colour codes around an event line (a wrapper that colours stdout).
    `\x1b[0m${formatWireEvent(EVENTS[2], NONCE)}\x1b[0m`,
    formatWireEvent(EVENTS[3], NONCE),
    formatWireEvent(EVENTS[4], NONCE)
  ];
  return lines.join('\r\n') + '\r\n' + prompt;
}

function readAll(chunks: string[]): WireEvent[] {
  const reader = new WireEventReader(NONCE);
  return chunks.flatMap(chunk => reader.push(chunk));
}

describe('WireEventReader', () => {
  it('finds exactly the events of its own nonce in a whole transcript', () => {
    expect(readAll([transcript()])).toEqual(EVENTS);
  });

  it('gives the same events whichever two chunks the output is cut into', () => {
    const text = transcript();
    for (let cut = 0; cut <= text.length; cut++) {
      expect(readAll([text.slice(0, cut), text.slice(cut)])).toEqual(EVENTS);
    }
  });

  it('gives the same events fed one character at a time', () => {
    expect(readAll([...transcript()])).toEqual(EVENTS);
  });

  it('never reports an event from the echoed command line', () => {
    // The marker is built from the nonce, which the echo only carries in base64.
    const request = encodeWireRequest({ nonce: NONCE, args: ['env', 'list'] });
    expect(request).not.toContain(NONCE);
    expect(readAll([`$ mlc --wire ${request}\r\n`])).toEqual([]);
  });

  it('keeps an unfinished line until its end arrives', () => {
    const reader = new WireEventReader(NONCE);
    const line = formatWireEvent({ type: 'end', exitCode: 2 }, NONCE);
    expect(reader.push(line)).toEqual([]);
    expect(reader.push('\r')).toEqual([]);
    expect(reader.push('\n')).toEqual([{ type: 'end', exitCode: 2 }]);
  });

  it('reads the output of a real pseudo-terminal (CRLF added by the tty)', () => {
    const program = EVENTS.map(e => formatWireEvent(e, NONCE)).join('\n');
    const node = `process.stdout.write(${JSON.stringify(program + '\n')})`;
    const result = spawnSync(
      'script',
      [
        '-qec',
        `${process.execPath} -e '${node.replace(/'/g, "'\\''")}'`,
        '/dev/null'
      ],
      {
        encoding: 'utf-8'
      }
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('\r\n');
    expect(readAll([result.stdout])).toEqual(EVENTS);
  });
});

describe('the typed wire line', () => {
  it.each(['sh', 'bash', 'zsh', 'tcsh'])(
    'reaches mlc unchanged through %s, whatever the arguments hold',
    shell => {
      const args = [
        'env',
        'create',
        '/tmp/it\'s a $(touch /tmp/x); `id` ~ * ! \\ "q" é日'
      ];
      const encoded = encodeWireRequest({ nonce: NONCE, args });
      expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
      const result = spawnSync(
        shell,
        ['-c', `printf '%s\\n' mlc --wire ${encoded}`],
        { encoding: 'utf-8' }
      );
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`mlc\n--wire\n${encoded}\n`);
    }
  );
});
