/**
 * `.mlc-env.json` is read by a plain check first and by the zod schema for
 * anything that check does not accept whole (src/core/envRecord.ts): on any
 * record, valid or not, the result is the schema's, field for field and in
 * its order, and every record the schema accepts takes the plain path.
 */
import fc from 'fast-check';
import {
  acceptedEnvRecord,
  ENV_RECORD_FILE,
  envRecordSchema,
  parseEnvRecord
} from '../../src/core/envRecord';
import { checkJson, parseJson } from '../../src/core/parseJson';

/** Values each field may take: valid ones and the wrong ones next to them. */
const text = fc.constantFrom(
  '',
  'env',
  'my env',
  '/opt/conda',
  '/home/u/envs/a',
  'relative/path',
  '/a/../b',
  '/a\nb',
  '-x',
  'x'.repeat(4097),
  'é',
  '/tmp/x y'
);
const anyValue = fc.oneof(
  text,
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('a', 'name'), text)
);
/** A field's valid values mostly, now and then a wrong one of its kind or of any kind. */
function field(valid: unknown[], wrong: unknown[] = []): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...valid) },
    {
      weight: 1,
      arbitrary: wrong.length ? fc.constantFrom(...wrong) : anyValue
    },
    { weight: 1, arbitrary: anyValue }
  );
}

const image = fc.record(
  {
    reference: field(['', 'ml-base:1'], ['x'.repeat(4097)]),
    buildDate: field(['', '2026-01-01'], [7]),
    packagesDigest: field(
      ['a'.repeat(64), '0123'.repeat(16)],
      ['A'.repeat(64), 'a']
    ),
    packageCount: field([0, 3], [-1, 1.5, Number.MAX_SAFE_INTEGER + 2]),
    source: field(['image.json', 'records'], ['other']),
    extra: text
  },
  { requiredKeys: [] }
);

const record = fc.record(
  {
    schemaVersion: field([1], [2, '1']),
    name: field(['env', 'my-env'], ['a b', '', '.x', 'x/y']),
    prefix: field(['/home/u/envs/env'], ['/a/../b', 'rel', '/']),
    basePrefix: field(['/opt/conda'], ['/x/./y', '']),
    baseImage: field(['', 'ml-base:1']),
    python: field(['3.11', '']),
    createdAt: field(['2026-12-06T00:00:00Z', '']),
    mode: field(['host', 'container'], ['HOST']),
    containerImage: field(['/cvmfs/img'], ['img', '-x']),
    bindPaths: field(
      [[], ['/data'], ['/data', '/scratch']],
      [['rel'], ['/a\nb']]
    ),
    kernelName: field([null, 'mlc-env-0123abcd'], ['bad name', '', '../k']),
    creationId: field(['0123456789abcdef'], ['abc', '0123456789ABCDEF']),
    displayName: field(['My env', '']),
    image: fc.oneof(
      { weight: 6, arbitrary: image },
      { weight: 1, arbitrary: anyValue }
    ),
    unknownField: text
  },
  {
    requiredKeys: [
      'schemaVersion',
      'name',
      'prefix',
      'basePrefix',
      'baseImage',
      'python',
      'createdAt',
      'mode',
      'kernelName'
    ]
  }
);

/** Some records with a required field dropped too. */
const records = fc.oneof(
  { weight: 4, arbitrary: record },
  {
    weight: 1,
    arbitrary: fc
      .tuple(record, fc.constantFrom('name', 'mode', 'kernelName', 'prefix'))
      .map(([value, key]) => {
        const copy: Record<string, unknown> = { ...value };
        delete copy[key];
        return copy;
      })
  }
);

describe('parseEnvRecord', () => {
  it('gives the schema result on every record, and the plain path takes every valid one', () => {
    let accepted = 0;
    fc.assert(
      fc.property(records, raw => {
        const bySchema = checkJson(envRecordSchema(), ENV_RECORD_FILE, raw);
        const plain = acceptedEnvRecord(raw);
        if (bySchema.ok) {
          accepted++;
          expect(JSON.stringify(plain)).toBe(JSON.stringify(bySchema.value));
        } else {
          expect(plain).toBeNull();
        }
        const text = JSON.stringify(raw);
        expect(JSON.stringify(parseEnvRecord(text))).toBe(
          JSON.stringify(parseJson(envRecordSchema(), ENV_RECORD_FILE, text))
        );
      }),
      { numRuns: 5000 }
    );
    // The generator reaches valid records too, not only refusals.
    expect(accepted).toBeGreaterThan(100);
  });

  it('words a broken file as the schema does', () => {
    for (const text of ['', '{', '[]', 'null', '{"schemaVersion":1}']) {
      expect(parseEnvRecord(text)).toEqual(
        parseJson(envRecordSchema(), ENV_RECORD_FILE, text)
      );
    }
  });
});
