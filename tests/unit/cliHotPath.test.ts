/**
 * The hand-dispatched path of `env list`, `env create`, `enter` and `info`
 * (src/cli/hotPath.ts) reads a command line as commander does: on any line
 * it takes, commander (the real env and runner groups, their actions
 * swapped for recorders) runs the same
 * verb with the same operand and options and reports no error. Lines it
 * leaves to commander are not its business.
 */
import fc from 'fast-check';
import { registerEnvCommands } from '../../src/cli/commands/env';
import { registerRunnerCommands } from '../../src/cli/commands/runner';
import { makeContext } from '../../src/cli/context';
import { hotVerb, type HotVerb } from '../../src/cli/hotPath';
import { Reporter } from '../../src/cli/output';
import { programRoot } from '../../src/cli/program';

// The shell templates are text the bundler inlines; no action runs here.
jest.mock('../../src/cli/env/templateTexts', () => ({ TEMPLATES: {} }));

/** What commander ran for `args`: the verb, with what its action was given; or the error. */
function commanderReading(args: string[]): unknown {
  const program = programRoot()
    .exitOverride()
    .configureOutput({
      writeOut: () => undefined,
      writeErr: () => undefined,
      outputError: () => undefined
    })
    .action(() => {
      throw new Error('no subcommand');
    });
  const context = makeContext(
    new Reporter(
      { kind: 'human' },
      () => undefined,
      () => undefined
    )
  );
  registerEnvCommands(program, context);
  registerRunnerCommands(program, context);
  let ran: unknown = null;
  const env = program.commands.find(command => command.name() === 'env')!;
  env.exitOverride();
  const list = env.commands.find(command => command.name() === 'list')!;
  const create = env.commands.find(command => command.name() === 'create')!;
  list.exitOverride().action((options: { dir: string[] }) => {
    ran = { verb: 'env list', dirs: options.dir };
  });
  create
    .exitOverride()
    .action((positional: string | undefined, options: object) => {
      ran = { verb: 'env create', positional, flags: { ...options } };
    });
  const runnerVerb = (name: string) =>
    program.commands.find(command => command.name() === name)!.exitOverride();
  runnerVerb('enter').action((command: string[] | undefined) => {
    ran = { verb: 'enter', command: command ?? [] };
  });
  runnerVerb('info').action(
    (image: string, options: { catalogue?: string }) => {
      ran = { verb: 'info', image, catalogue: options.catalogue };
    }
  );
  try {
    program.parse(args, { from: 'user' });
  } catch (error) {
    return { error: (error as Error).message };
  }
  const json = (program.opts() as { json?: boolean }).json === true;
  return ran === null ? { error: 'nothing ran' } : { ...ran, json };
}

/** The hot path's reading in commander's terms (no absent keys). */
function hotReading(hot: HotVerb): unknown {
  if (hot.verb === 'enter') {
    return { verb: hot.verb, command: hot.command, json: hot.json };
  }
  if (hot.verb === 'info') {
    return {
      verb: hot.verb,
      image: hot.image,
      catalogue: hot.catalogue,
      json: hot.json
    };
  }
  if (hot.verb === 'env list') {
    return { verb: hot.verb, dirs: hot.dirs, json: hot.json };
  }
  return {
    verb: hot.verb,
    positional: hot.positional,
    flags: hot.flags,
    json: hot.json
  };
}

const TOKENS = [
  'env',
  'list',
  'create',
  'check',
  '--json',
  '--dir',
  '--dir=x',
  '-p',
  '--prefix',
  '--base',
  '--kernel',
  '--no-kernel',
  '--display-name',
  '--container-image',
  '--bind',
  '--from',
  '--allow-other-image',
  '--print-activate-path',
  '--help',
  '-h',
  '-V',
  '--',
  '-',
  '',
  'x',
  'y z',
  '/tmp/env',
  '-x'
];

/** Words of the runner verbs' lines, for the property below. */
const RUNNER_TOKENS = [
  'enter',
  'info',
  '--catalogue',
  '--catalogue=c',
  '--json',
  '--',
  '-',
  '',
  '--help',
  '-h',
  '-V',
  '--version',
  '-la',
  '-c',
  '--bogus',
  'ls',
  'x',
  'y z',
  'help'
];

describe('the hot path of env list and env create', () => {
  it.each([
    [['env', 'list']],
    [['env', 'list', '--json']],
    [['--json', 'env', 'list', '--dir', 'a', '--dir', 'b']],
    [['env', 'create', 'p']],
    [['env', 'create', '-p', 'p', '--no-kernel', '--json']],
    [['env', 'create', '--base', 'b', 'p', '--bind', 'x', '--bind', 'y']],
    [['env', 'create', 'p', '--kernel', '--no-kernel']],
    [['env', 'create', 'p', '--from', 'lock.json', '--allow-other-image']],
    [['env', 'create']]
  ])('takes %j as commander reads it', args => {
    const hot = hotVerb(args);
    expect(hot).not.toBeNull();
    expect(hotReading(hot!)).toEqual(commanderReading(args));
  });

  it.each([
    [['env', 'list', '--dir']],
    [['env', 'list', '--dir', '--json']],
    [['env', 'list', '--dir=x']],
    [['env', 'list', 'extra']],
    [['env', 'list', '--help']],
    [['env', 'create', 'a', 'b']],
    [['env', 'create', '-p']],
    [['env', 'create', '--bogus']],
    [['env', 'create', '--', 'p']],
    [['--version', 'env', 'list']],
    [['env', 'check']],
    [['kernels', 'list']],
    [[]]
  ])('leaves %j to commander', args => {
    expect(hotVerb(args)).toBeNull();
  });

  it('reads every line it takes as commander does', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          ['env', 'list'],
          ['env', 'create'],
          ['--json', 'env', 'list'],
          ['env', 'create', 'x']
        ),
        fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }),
        (head, tail) => {
          const args = [...head, ...tail];
          const hot = hotVerb(args);
          if (hot) {
            expect(hotReading(hot)).toEqual(commanderReading(args));
          }
        }
      ),
      { numRuns: 3000 }
    );
  });
});

describe('the hot path of enter and info', () => {
  it.each([
    [['enter']],
    [['--json', 'enter']],
    [['enter', '--json']],
    [['enter', 'ls', '/tmp']],
    [['enter', 'ls', '--json', 'x']],
    [['enter', '--', 'ls', '-la']],
    [['enter', '--json', '--', 'sh', '-c', 'exit 3', '--json', '--']],
    [['enter', '--', '--help', '-V', '--version']],
    [['enter', '--']],
    [['enter', '', 'help']],
    [['enter', 'help']],
    [['info', 'x']],
    [['info', '']],
    [['info', 'x', '--catalogue', 'c.json']],
    [['info', '--catalogue', 'c.json', 'x']],
    [['--json', 'info', '--json', 'x', '--json', '--catalogue', '']]
  ])('takes %j as commander reads it', args => {
    const hot = hotVerb(args);
    expect(hot).not.toBeNull();
    expect(hotReading(hot!)).toEqual(commanderReading(args));
  });

  it.each([
    [['enter', 'ls', '-la']],
    [['enter', 'ls', '--', '-la']],
    [['enter', '-']],
    [['enter', '--help']],
    [['enter', 'ls', '-h']],
    [['enter', '-V']],
    [['enter', '--bogus']],
    [['info']],
    [['info', '--json']],
    [['info', 'x', 'y']],
    [['info', 'x', '--catalogue']],
    [['info', 'x', '--catalogue', '--json']],
    [['info', 'x', '--catalogue', '-c']],
    [['info', 'x', '--catalogue=c']],
    [['info', 'x', '--catalogue', 'a', '--catalogue', 'b']],
    [['info', '--', 'x']],
    [['info', '-h']],
    [['--version', 'enter']],
    [['--bogus', 'info', 'x']],
    [['help', 'enter']]
  ])('leaves %j to commander', args => {
    expect(hotVerb(args)).toBeNull();
  });

  it('reads every line it takes as commander does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('--json', '-V', '--bogus'), { maxLength: 2 }),
        fc.constantFrom('enter', 'info'),
        fc.array(fc.constantFrom(...RUNNER_TOKENS), { maxLength: 8 }),
        (before, verb, tail) => {
          const args = [...before, verb, ...tail];
          const hot = hotVerb(args);
          if (hot) {
            expect(hotReading(hot)).toEqual(commanderReading(args));
          }
        }
      ),
      { numRuns: 3000 }
    );
  });

  it('reads the lines it takes as commander does, mostly plain ones', () => {
    let taken = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(['enter'], ['info'], ['--json', 'info', 'x']),
        fc.array(
          fc.constantFrom('--json', '--catalogue', '--', 'x', '', 'ls', '-la'),
          { maxLength: 6 }
        ),
        (head, tail) => {
          const args = [...head, ...tail];
          const hot = hotVerb(args);
          if (hot) {
            taken++;
            expect(hotReading(hot)).toEqual(commanderReading(args));
          }
        }
      ),
      { numRuns: 2000 }
    );
    // The property says something only if many lines were taken.
    expect(taken).toBeGreaterThan(400);
  });
});
