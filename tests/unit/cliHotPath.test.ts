/**
 * The hand-dispatched path of `env list` and `env create` (src/cli/hotPath.ts)
 * reads a command line as commander does: on any line it takes, commander
 * (the real env group, its actions swapped for recorders) runs the same
 * verb with the same operand and options and reports no error. Lines it
 * leaves to commander are not its business.
 */
import fc from 'fast-check';
import { registerEnvCommands } from '../../src/cli/commands/env';
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
  registerEnvCommands(
    program,
    makeContext(
      new Reporter(
        { kind: 'human' },
        () => undefined,
        () => undefined
      )
    )
  );
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
