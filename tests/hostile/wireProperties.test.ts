/**
 * Property-based tests of the wire format (src/core/wire.ts) and of the
 * escaping of human output (src/cli/output.ts): round trips for arbitrary
 * text, one-line errors for arbitrary input, no event without the marker
 * whatever the chunking, and a reader whose work grows linearly.
 */
import * as fc from 'fast-check';
import { Reporter, visibleText, elideText } from '../../src/cli/output';
import {
  decodeWireRequest,
  encodeWireRequest,
  formatWireEvent,
  wireMarker,
  WireEventReader,
  type WireEvent
} from '../../src/core/wire';
import { countScans } from './scanCounter';

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc
  .integer({ min: 0, max: 0xffff })
  .map(code => String.fromCharCode(code));
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: codeUnit }),
  fc.string()
);
const nonce = fc.stringMatching(/^[0-9a-f]{8,64}$/);

const event: fc.Arbitrary<WireEvent> = fc.oneof(
  fc.record({ type: fc.constant('progress' as const), message: anyText }),
  fc.record({ type: fc.constant('warning' as const), message: anyText }),
  fc.record({
    type: fc.constant('result' as const),
    command: anyText,
    data: fc.jsonValue()
  }),
  fc.record({
    type: fc.constant('error' as const),
    message: anyText,
    hint: anyText
  }),
  fc.record({
    type: fc.constant('end' as const),
    exitCode: fc.integer({ min: 0, max: 255 })
  })
);

describe('the wire request', () => {
  it('decodes what it encodes, for any args and nonce', () => {
    fc.assert(
      fc.property(nonce, fc.array(anyText, { maxLength: 8 }), (n, args) => {
        expect(
          decodeWireRequest(encodeWireRequest({ nonce: n, args }))
        ).toEqual({ nonce: n, args });
      })
    );
  });

  it('either decodes to a valid request or throws one one-line Error, for any input', () => {
    const base64Of = (bytes: Uint8Array) =>
      Buffer.from(bytes).toString('base64');
    const input = fc.oneof(
      anyText,
      fc.uint8Array({ maxLength: 200 }).map(base64Of),
      fc
        .jsonValue()
        .map(value =>
          Buffer.from(JSON.stringify(value) ?? '').toString('base64')
        ),
      fc
        .record({
          nonce: fc.oneof(anyText, nonce, fc.jsonValue()),
          args: fc.oneof(fc.array(anyText), fc.jsonValue())
        })
        .map(value => Buffer.from(JSON.stringify(value)).toString('base64'))
    );
    fc.assert(
      fc.property(input, text => {
        let decoded: unknown;
        try {
          decoded = decodeWireRequest(text);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(/^the --wire [^\n]+$/);
          return;
        }
        const request = decoded as { nonce: string; args: unknown[] };
        expect(request.nonce).toMatch(/^[0-9a-f]{8,64}$/);
        expect(request.args.every(arg => typeof arg === 'string')).toBe(true);
      })
    );
  });
});

describe('the event reader', () => {
  /** Split `text` at the given (sorted, deduplicated) points. */
  const chunked = (text: string, cuts: number[]) => {
    const points = [...new Set(cuts.map(cut => cut % (text.length + 1)))].sort(
      (a, b) => a - b
    );
    const chunks: string[] = [];
    let last = 0;
    for (const point of points) {
      chunks.push(text.slice(last, point));
      last = point;
    }
    chunks.push(text.slice(last));
    return chunks;
  };

  it('yields no event from output without the marker, whatever the chunking', () => {
    fc.assert(
      fc.property(
        nonce,
        anyText,
        fc.array(fc.nat(), { maxLength: 20 }),
        (n, text, cuts) => {
          fc.pre(!text.includes(wireMarker(n)));
          const reader = new WireEventReader(n);
          const events = chunked(text + '\n', cuts).flatMap(chunk =>
            reader.push(chunk)
          );
          expect(events).toEqual([]);
        }
      )
    );
  });

  it('yields exactly the marked events, in order, among prompts, colours and CRLFs, whatever the chunking', () => {
    const noise = fc
      .string({ unit: codeUnit })
      .filter(text => !['\n', '\u001b', '@'].some(char => text.includes(char)));
    fc.assert(
      fc.property(
        nonce,
        fc.array(fc.tuple(event, noise, noise, fc.boolean()), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (n, items, cuts) => {
          const lines = items.flatMap(([item, before, prompt, crlf]) => [
            before,
            `${prompt}\x1b[1;32m${formatWireEvent(item, n)}\x1b[0m${crlf ? '\r' : ''}`
          ]);
          const reader = new WireEventReader(n);
          const events = chunked(lines.join('\n') + '\n', cuts).flatMap(chunk =>
            reader.push(chunk)
          );
          expect(events).toEqual(
            items.map(([item]) => JSON.parse(JSON.stringify(item)))
          );
        }
      )
    );
  });

  it('does work linear in the output, fed a character at a time or in one chunk', () => {
    const n = '0123456789abcdef';
    const line =
      formatWireEvent({ type: 'progress', message: 'x'.repeat(50) }, n) +
      '\r\n';
    const perChar = (size: number, oneAtATime: boolean) => {
      const text = 'prompt$ ' + line.repeat(size) + 'y'.repeat(size * 20);
      const { steps } = countScans(() => {
        const reader = new WireEventReader(n);
        if (oneAtATime) {
          for (const char of text) {
            reader.push(char);
          }
        } else {
          reader.push(text);
        }
      });
      return steps / text.length;
    };
    for (const oneAtATime of [false, true]) {
      const small = perChar(100, oneAtATime);
      const large = perChar(1600, oneAtATime);
      // Linear: the same work per character at 16 times the size.
      expect(large / small).toBeLessThan(2);
    }
  });
});

describe('visible text for people', () => {
  const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

  it('leaves no control, format, separator or lone surrogate character, and changes nothing else', () => {
    fc.assert(
      fc.property(anyText, text => {
        const shown = visibleText(text);
        expect(shown).not.toMatch(INVISIBLE);
        if (!INVISIBLE.test(text)) {
          expect(shown).toBe(text);
        }
      })
    );
  });

  it('elides to a bound', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 4, max: 100 }), (text, max) => {
        const shown = elideText(text, max);
        expect(shown.length).toBeLessThanOrEqual(max);
        expect(shown).not.toMatch(INVISIBLE);
      })
    );
  });

  it('gives warnings and errors one stderr line each in human mode, and events otherwise', () => {
    fc.assert(
      fc.property(anyText, anyText, (message, hint) => {
        const out: string[] = [];
        const err: string[] = [];
        const human = new Reporter(
          { kind: 'human' },
          text => out.push(text),
          text => err.push(text)
        );
        human.warning(message);
        human.error(message, hint);
        expect(out).toEqual([]);
        expect(err).toHaveLength(2);
        expect(err[0]).toMatch(/^mlc: warning: [^\n]*\n$/);
        expect(err[1]).toMatch(/^mlc: error: [^\n]*\n$/);

        const lines: string[] = [];
        const machine = new Reporter(
          { kind: 'wire', nonce: 'abcdef01' },
          text => lines.push(text),
          () => {
            throw new Error('nothing goes to stderr in wire mode');
          }
        );
        machine.warning(message);
        expect(new WireEventReader('abcdef01').push(lines.join(''))).toEqual([
          { type: 'warning', message }
        ]);
      })
    );
  });
});
