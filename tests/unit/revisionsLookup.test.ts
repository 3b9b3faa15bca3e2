/**
 * The lookups a change makes in an env's revisions without reading them
 * all (src/cli/env/revisions.ts): the newest readable revision and the
 * hashes earlier revisions recorded give what the full read gives
 * (`readRevisions`, `knownHashes`), whatever revisions are present,
 * damaged or missing. On real files in a temporary directory.
 */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { normalizeName, type PipPin } from '../../src/core/envLife';
import {
  knownHashes,
  latestRevision,
  readRevisions,
  recordRevision,
  recordedHashes
} from '../../src/cli/env/revisions';

const IMAGE = {
  reference: '',
  buildDate: '',
  packagesDigest: '0'.repeat(64),
  packageCount: 0,
  source: 'records' as const
};

const NAMES = ['alpha', 'beta', 'Gamma_pkg'];
const VERSIONS = ['1.0', '2.0'];

const pinArbitrary: fc.Arbitrary<PipPin> = fc.record(
  {
    name: fc.constantFrom(...NAMES),
    version: fc.constantFrom(...VERSIONS),
    hash: fc.option(
      fc.stringMatching(/^[0-9a-f]{64}$/).map(hex => `sha256:${hex}`),
      { nil: undefined }
    )
  },
  { requiredKeys: ['name', 'version'] }
);

/** One revision to write: its pins, or damaged (not JSON), or skipped (a gap in the numbers). */
const revisionArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.array(pinArbitrary, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constant('damaged' as const) },
  { weight: 1, arbitrary: fc.constant('gap' as const) }
);

let scratch: string;

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mlc-revisions-'));
});

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** An env directory holding `revisions` as revision files 1..N. */
function envWith(
  revisions: Array<PipPin[] | 'damaged' | 'gap'>,
  index: number
): string {
  const envDir = path.join(scratch, `env-${index}`);
  fs.mkdirSync(envDir);
  revisions.forEach((revision, i) => {
    const number = i + 1;
    const file = path.join(envDir, '.mlc-revisions', `${number}.json`);
    // Written by recordRevision, then moved to its number (recordRevision numbers after the highest file).
    if (revision === 'gap') {
      return;
    }
    const written = recordRevision(envDir, {
      command: 'install',
      args: [],
      image: IMAGE,
      python: '3.11',
      packages: { pip: revision === 'damaged' ? [] : revision, conda: [] }
    });
    fs.rmSync(path.join(envDir, '.mlc-revisions', `${written.number}.json`));
    fs.writeFileSync(
      file,
      revision === 'damaged'
        ? '{"schemaVersion": 1, "number": '
        : JSON.stringify({ ...written, number })
    );
  });
  return envDir;
}

describe('revision lookups without the full read', () => {
  let index = 0;

  it('the newest readable revision and the recorded hashes equal those of readRevisions', () => {
    fc.assert(
      fc.property(
        fc.array(revisionArbitrary, { maxLength: 8 }),
        fc.array(pinArbitrary, { maxLength: 5 }),
        (revisions, pins) => {
          const envDir = envWith(revisions, index++);
          const all = readRevisions(envDir).revisions;
          expect(latestRevision(envDir)).toEqual(
            all.length ? all[all.length - 1] : null
          );
          const known = knownHashes(all);
          const expected = new Map(
            pins
              .filter(pin => !pin.hash)
              .map(pin => `${normalizeName(pin.name)}==${pin.version}`)
              .filter(key => known.has(key))
              .map(key => [key, known.get(key) as string])
          );
          expect(recordedHashes(envDir, pins)).toEqual(expected);
        }
      ),
      { numRuns: 100 }
    );
  });

  it('finds nothing in an env without revisions', () => {
    const envDir = path.join(scratch, 'empty');
    fs.mkdirSync(envDir);
    expect(latestRevision(envDir)).toBeNull();
    expect(
      recordedHashes(envDir, [{ name: 'alpha', version: '1.0' }]).size
    ).toBe(0);
  });
});
