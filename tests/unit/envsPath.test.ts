/** Where the create dialog puts an env, and which forms it refuses. */
import {
  createFormProblem,
  envLocationDir,
  envPrefix,
  locationProblem
} from '../../src/lab/envActions/envPath';
import { formProblemText } from '../../src/lab/envActions/problemWords';
import { englishBundle } from './launcherDomHelpers';
import {
  checkArgs,
  createArgs,
  listArgs,
  removeArgs
} from '../../src/lab/envActions/mlcArgs';
import { createResult, envSummaries } from '../../src/lab/envActions/results';

describe('envPrefix', () => {
  it('puts a relative location below the Jupyter root folder', () => {
    expect(envPrefix('ml-envs', 'myEnv', '/home/u')).toBe(
      '/home/u/ml-envs/myEnv'
    );
    expect(envPrefix('', 'myEnv', '/home/u')).toBe('/home/u/myEnv');
    expect(envPrefix('a/../b/', 'my env', '/home/u/')).toBe('/home/u/b/my env');
  });

  it('keeps an absolute location', () => {
    expect(envPrefix('/scratch/u//envs/', 'é env', '/home/u')).toBe(
      '/scratch/u/envs/é env'
    );
  });

  it('leaves the path relative when the root folder is unknown', () => {
    expect(envPrefix('ml-envs/', 'x', '')).toBe('ml-envs/x');
    expect(envPrefix('', 'x', '')).toBe('x');
  });
});

describe('envLocationDir', () => {
  it('resolves the default location like a prefix', () => {
    expect(envLocationDir('ml-envs', '/home/u')).toBe('/home/u/ml-envs');
    expect(envLocationDir('', '/home/u')).toBe('/home/u');
    expect(envLocationDir('/scratch//envs/', '/home/u')).toBe('/scratch/envs');
    expect(envLocationDir('ml-envs/', '')).toBe('ml-envs');
    expect(envLocationDir('', '')).toBe('.');
  });
});

describe('createFormProblem', () => {
  const ok = {
    name: 'my env',
    location: 'ml-envs',
    displayName: "Anna's $(env)"
  };

  it('accepts names with spaces, quotes and shell syntax: they never reach a shell', () => {
    expect(createFormProblem(ok)).toBeNull();
    expect(createFormProblem({ ...ok, name: "it's $(x); `y`" })).toBeNull();
    expect(createFormProblem({ ...ok, location: '' })).toBeNull();
  });

  it.each([
    [{ name: '' }, 'the env name is empty'],
    [{ name: 'a/b' }, 'contains "/"'],
    [{ name: 'a\nb' }, 'newline'],
    [{ name: '..' }, 'cannot name an env'],
    [{ location: '~/envs' }, '"~"'],
    [{ location: '~' }, '"~"'],
    [{ location: 'a\tb' }, 'newline'],
    [{ displayName: 'x\ny' }, 'display name']
  ])('refuses %j with one line', (patch, words) => {
    const found = createFormProblem({ ...ok, ...patch });
    expect(found).not.toBeNull();
    const problem = found && formProblemText(found, englishBundle);
    expect(problem).toContain(words);
    expect(problem).not.toContain('\n');
  });

  it('allows an empty location (the root folder)', () => {
    expect(locationProblem('')).toBeNull();
  });
});

describe('mlc arguments', () => {
  it('passes user text as single arguments, never joined', () => {
    expect(
      createArgs({
        prefix: '/h/my env',
        registerKernel: true,
        displayName: " it's "
      })
    ).toEqual(['env', 'create', '/h/my env', '--display-name', "it's"]);
    expect(
      createArgs({ prefix: '/h/x', registerKernel: true, displayName: '' })
    ).toEqual(['env', 'create', '/h/x']);
    expect(
      createArgs({
        prefix: '/h/x',
        registerKernel: false,
        displayName: 'ignored'
      })
    ).toEqual(['env', 'create', '/h/x', '--no-kernel']);
    expect(listArgs()).toEqual(['env', 'list']);
    expect(listArgs(['/h/ml-envs', '/h/my envs'])).toEqual([
      'env',
      'list',
      '--dir',
      '/h/ml-envs',
      '--dir',
      '/h/my envs'
    ]);
    expect(checkArgs('/h/x')).toEqual(['env', 'check', '/h/x']);
    expect(checkArgs('/h/x', true)).toEqual(['env', 'check', '/h/x', '--fix']);
    expect(removeArgs('/h/x')).toEqual(['env', 'remove', '/h/x']);
  });
});

describe('results', () => {
  const summary = {
    name: 'a',
    prefix: '/h/a',
    basePrefix: '/opt/conda',
    baseImage: 'ml-base:alma9',
    python: '3.11',
    createdAt: '2026-01-01T00:00:00Z',
    kernelName: 'mlc-a-12345678',
    problems: [
      {
        code: 'kernel-missing',
        message: 'no kernel',
        fixable: true,
        hint: 'run: mlc env check /h/a --fix'
      }
    ]
  };
  const outcome = (data: unknown) => ({
    results: [{ command: 'env', data }],
    errors: [],
    exitCode: 0
  });

  it('reads one summary, a list, or {envs: [...]}, and drops malformed entries', () => {
    expect(envSummaries(outcome(summary))).toEqual([summary]);
    expect(envSummaries(outcome([summary, { prefix: 1 }]))).toEqual([summary]);
    expect(envSummaries(outcome({ envs: [summary] }))).toEqual([summary]);
    expect(envSummaries(outcome('<img src=x onerror=alert(1)>'))).toEqual([]);
  });

  it('reads a create result only when complete', () => {
    expect(createResult(outcome(summary))).toBeNull();
    const created = {
      ...summary,
      activateScript: '/h/a/setupMe-on-host.sh',
      elapsedMs: 120
    };
    expect(
      createResult(
        outcome({
          ...created,
          mode: 'host',
          mirrored: { directories: 3, links: 40 }
        })
      )
    ).toEqual(created);
  });
});
