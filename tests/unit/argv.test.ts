/** The one rule for values passed to another program (src/core/argv.ts). */
import {
  argumentProblem,
  firstArgumentProblem,
  operandsAfterOptions
} from '../../src/core/argv';
import { parseImageReference } from '../../src/core/runner/imageReference';
import { parseWorkState } from '../../src/core/runner/workState';

describe('argumentProblem', () => {
  it.each([
    ['', /empty/],
    ['-x', /starts with '-'/],
    ['--index-url=http://evil.example/', /starts with '-'/],
    ['a\nb', /control character/],
    ['a\u007fb', /control character/],
    ['x'.repeat(5000), /longer than 4096/]
  ])('refuses %j', (value, problem) => {
    expect(argumentProblem(value)).toMatch(problem);
  });

  it.each(['numpy', 'numpy==1.26.4', '/abs/path', 'docker.io/a/b:t', 'a-b'])(
    'accepts %j',
    value => {
      expect(argumentProblem(value)).toBeNull();
    }
  );

  it('names the first bad value and puts operands after --', () => {
    expect(firstArgumentProblem(['ok', '-c', 'x'])).toEqual({
      value: '-c',
      problem: "starts with '-' (another program would read it as an option)"
    });
    expect(firstArgumentProblem(['ok'])).toBeNull();
    expect(operandsAfterOptions(['a', 'b'])).toEqual(['--', 'a', 'b']);
  });
});

describe('image references never read as options', () => {
  it.each([
    '-eFOO.x:1/y:t',
    '--privileged:1/y:t',
    '-x/y:t',
    'a.-b:1/y:t',
    'b-.c:5000/y:t',
    '-/y:t'
  ])('%s is refused', reference => {
    expect(parseImageReference(reference).ok).toBe(false);
  });

  it.each([
    'docker.io/yesw2000/ml-base:t',
    '127.0.0.1:5000/a/b:t',
    'a-b.c/x:t'
  ])('%s is accepted', reference => {
    expect(parseImageReference(reference).ok).toBe(true);
  });
});

describe('a state file setupAt', () => {
  const state = (setupAt: string) =>
    JSON.stringify({
      schemaVersion: 1,
      writtenBy: 'test',
      engine: 'podman',
      workdir: '/w',
      workdirId: 'a'.repeat(64),
      setupId: 'b'.repeat(32),
      setupAt,
      image: {
        name: 'n',
        tag: 't',
        reference: 'docker.io/a/n:t',
        digest: null,
        compressedSize: null,
        created: null,
        lastUpdated: null
      },
      container: { name: 'c', id: 'c'.repeat(64) },
      binds: [],
      gpu: 'none'
    });

  it.each(['yesterday', '2024-13-45T00:00:00Z', '2024-01-02', ''])(
    'refuses %j with the field named',
    setupAt => {
      const parsed = parseWorkState(state(setupAt));
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.error).toMatch(/setupAt/);
    }
  );

  it('accepts what toISOString writes', () => {
    expect(parseWorkState(state(new Date().toISOString())).ok).toBe(true);
  });
});
