/**
 * Property tests for `mlc env job-script` (issue 17): every accepted option
 * value reaches its `#SBATCH` line unchanged and nothing else becomes a
 * directive; every word of the command reaches the program in the job
 * unchanged, whatever its characters; a value with a character a directive
 * cannot carry is refused in one line and nothing is written.
 */
import * as fs from 'fs';
import fc from 'fast-check';
import {
  mlcAsUser,
  runAsUser,
  useEnvFixture,
  userDir,
  type IUserPlaces
} from '../harness/unprivilegedBase';

const fixture = useEnvFixture('scale-out-props');
let places: IUserPlaces;
let env: string;
let out: string;

beforeAll(() => {
  places = fixture.places;
  out = userDir(`${fixture.scratch}/out`);
  env = `${userDir(`${fixture.scratch}/envs`)}/propEnv`;
  const created = mlcAsUser(
    ['env', 'create', env, '--base', fixture.base, '--no-kernel'],
    places
  );
  expect(created.code).toBe(0);
});

/** The directives sbatch reads: `#SBATCH` lines before the first line that is not a comment. */
function sbatchDirectives(script: string): string[] {
  const found: string[] = [];
  for (const line of script.split('\n').slice(1)) {
    if (!line.startsWith('#')) {
      break;
    }
    if (/^#SBATCH\s/.test(line)) {
      found.push(line.replace(/^#SBATCH\s+/, ''));
    }
  }
  return found;
}

const directiveValue = fc.stringMatching(
  /^[A-Za-z0-9_][A-Za-z0-9_.:,+@%=/-]{0,30}$/
);
/** Any argv word: no NUL (no argv holds one), no lone surrogate (not text). */
const word = fc
  .string({ unit: 'grapheme', maxLength: 30 })
  .filter(text => !text.includes('\0'));
const PRINT_ARGV = 'import sys, json; print(json.dumps(sys.argv[1:]))';

describe('mlc env job-script, properties', () => {
  it('passes partition, account and every command word through unchanged', () => {
    let run = 0;
    fc.assert(
      fc.property(
        directiveValue,
        directiveValue,
        fc.array(word, { maxLength: 5 }),
        (partition, account, words) => {
          const script = `${out}/prop-${run++}.sh`;
          const written = mlcAsUser(
            [
              'env',
              'job-script',
              env,
              '--partition',
              partition,
              '--account',
              account,
              '-o',
              script,
              '--',
              'python',
              '-c',
              PRINT_ARGV,
              ...words
            ],
            places
          );
          expect(written.code).toBe(0);
          const text = fs.readFileSync(script, 'utf-8');
          expect(sbatchDirectives(text)).toEqual([
            `--partition=${partition}`,
            `--account=${account}`
          ]);
          const ran = runAsUser('/bin/sh', [script], places);
          expect(ran.stderr).toBe('');
          expect(JSON.parse(ran.stdout)).toEqual(words);
        }
      ),
      { numRuns: 25 }
    );
  });

  it('refuses a value with any character a directive cannot carry, in one line, writing nothing', () => {
    const bad = fc
      .tuple(
        directiveValue,
        fc.constantFrom(
          ' ',
          ';',
          '\n',
          '\r',
          '$',
          "'",
          '"',
          '`',
          '#',
          '\\',
          '|',
          '&',
          '\t'
        ),
        directiveValue
      )
      .map(([a, c, b]) => `${a}${c}${b}`);
    fc.assert(
      fc.property(
        bad,
        fc.constantFrom('--partition', '--account', '--time', '--mem'),
        (value, flag) => {
          const script = `${out}/refused.sh`;
          const written = mlcAsUser(
            ['env', 'job-script', env, flag, value, '-o', script, '--', 'true'],
            places
          );
          expect(written.code).toBe(2);
          expect(written.stderr.trim().split('\n')).toHaveLength(1);
          expect(fs.existsSync(script)).toBe(false);
        }
      ),
      { numRuns: 20 }
    );
  });
});
