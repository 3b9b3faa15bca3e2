/**
 * "Check Extended Environments" in one run: the arguments of the one
 * `mlc env check --all` and of a Fix, and the envs read back from the
 * event streams. The single-env streams were recorded from this tree's mlc
 * (`mlc env check P [--fix] --json`); the `--all` stream has the shape the
 * issue specifies (one `env check` result per env, then `env check-summary`
 * with `{ envs }`), put together from those recorded results, until the mlc
 * that emits it is merged.
 */
import { checkAllArgs, fixArgs } from '../../src/lab/envActions/mlcArgs';
import { checkedEnvs } from '../../src/lab/envActions/results';
import type { IMlcOutcome } from '../../src/lab/envActions/terminalTransport';

/** An outcome as the runner builds it from `--json`/wire event lines. */
function outcomeOf(lines: string): IMlcOutcome {
  const outcome: IMlcOutcome = { results: [], errors: [], exitCode: 1 };
  for (const line of lines.trim().split('\n')) {
    const event = JSON.parse(line) as Record<string, unknown>;
    if (event.type === 'result') {
      outcome.results.push({
        command: String(event.command),
        data: event.data
      });
    } else if (event.type === 'error') {
      outcome.errors.push({
        message: String(event.message),
        hint: String(event.hint ?? '')
      });
    } else if (event.type === 'end') {
      outcome.exitCode = Number(event.exitCode);
    }
  }
  return outcome;
}

const ENV_A =
  '{"name":"envA","prefix":"/tmp/ext-rec/envA","basePrefix":"/work/wt/extension/build/demo-image","baseImage":"ml-demo:local-python311","python":"3.11","createdAt":"2026-11-29T16:34:59.723Z","kernelName":null,"problems":[],"fixed":[]}';
const ENV_B_BROKEN =
  '{"name":"envB","prefix":"/tmp/ext-rec/envB","basePrefix":"/work/wt/extension/build/demo-image","baseImage":"ml-demo:local-python311","python":"3.11","createdAt":"2026-11-29T16:35:00.136Z","kernelName":"mlc-envb-f4a9da8a","problems":[{"code":"kernel-missing","message":"the kernel mlc-envb-f4a9da8a is not registered in /tmp/ext-rec/data/kernels","fixable":true,"hint":"run: mlc env check \'/tmp/ext-rec/envB\' --fix"}],"fixed":[]}';
const ENV_B_FIXED =
  '{"name":"envB","prefix":"/tmp/ext-rec/envB","basePrefix":"/work/wt/extension/build/demo-image","baseImage":"ml-demo:local-python311","python":"3.11","createdAt":"2026-11-29T16:35:00.136Z","kernelName":"mlc-envb-f4a9da8a","problems":[],"fixed":[{"code":"kernel-missing","message":"the kernel mlc-envb-f4a9da8a is not registered in /tmp/ext-rec/data/kernels","fixable":true,"hint":"run: mlc env check \'/tmp/ext-rec/envB\' --fix"}]}';

/** Recorded: `mlc env check /tmp/ext-rec/envB --fix --json`. */
const FIX_STREAM = `
{"type":"result","command":"env check","data":${ENV_B_FIXED}}
{"type":"end","exitCode":0}`;

/** `mlc env check --all --json` over envA (fine) and envB (kernel missing). */
const ALL_STREAM = `
{"type":"result","command":"env check","data":${ENV_A}}
{"type":"result","command":"env check","data":${ENV_B_BROKEN}}
{"type":"result","command":"env check-summary","data":{"envs":[${ENV_A},${ENV_B_BROKEN}]}}
{"type":"error","message":"1 problem(s) in the env /tmp/ext-rec/envB","hint":"run: mlc env check '/tmp/ext-rec/envB' --fix"}
{"type":"end","exitCode":1}`;

describe('check in one round trip', () => {
  it('asks mlc once for every env, in the folder new envs go to as well', () => {
    expect(checkAllArgs(['/h/ml-envs'])).toEqual([
      'env',
      'check',
      '--all',
      '--dir',
      '/h/ml-envs'
    ]);
    expect(checkAllArgs()).toEqual(['env', 'check', '--all']);
  });

  it('fixes one or several envs in one run', () => {
    expect(fixArgs(['/h/my env'])).toEqual([
      'env',
      'check',
      '/h/my env',
      '--fix'
    ]);
    expect(fixArgs(['/h/a', '/h/b'])).toEqual([
      'env',
      'check',
      '/h/a',
      '/h/b',
      '--fix'
    ]);
  });

  it('reads each env once from a run that exits 1 with problems', () => {
    const envs = checkedEnvs(outcomeOf(ALL_STREAM));
    expect(envs?.map(env => env.prefix)).toEqual([
      '/tmp/ext-rec/envA',
      '/tmp/ext-rec/envB'
    ]);
    expect(envs?.[0].problems).toEqual([]);
    expect(
      envs?.[1].problems.map(problem => [problem.code, problem.fixable])
    ).toEqual([['kernel-missing', true]]);
  });

  it('prefers the summary to the per-env results', () => {
    const outcome = outcomeOf(ALL_STREAM);
    // A summary that disagrees with the per-env lines (a later state) wins.
    outcome.results[2] = {
      command: 'env check-summary',
      data: { envs: [JSON.parse(ENV_B_FIXED)] }
    };
    expect(
      checkedEnvs(outcome)?.map(env => [env.prefix, env.problems.length])
    ).toEqual([['/tmp/ext-rec/envB', 0]]);
  });

  it('keeps the envs checked before a run was cut short', () => {
    const cut = ALL_STREAM.split('\n')
      .filter(line => !line.includes('check-summary'))
      .join('\n');
    expect(checkedEnvs(outcomeOf(cut))?.map(env => env.prefix)).toEqual([
      '/tmp/ext-rec/envA',
      '/tmp/ext-rec/envB'
    ]);
  });

  it('reads the env as it stands after a Fix from the one recorded run', () => {
    const envs = checkedEnvs(outcomeOf(FIX_STREAM));
    expect(envs).toHaveLength(1);
    expect(envs?.[0].problems).toEqual([]);
  });

  it('says null when mlc checked nothing (an mlc without --all refuses the option)', () => {
    const refused = outcomeOf(`
{"type":"error","message":"unknown option '--all'","hint":"see mlc env check --help"}
{"type":"end","exitCode":2}`);
    expect(checkedEnvs(refused)).toBeNull();
    expect(
      checkedEnvs(
        outcomeOf(
          '{"type":"result","command":"env check-summary","data":{"envs":[]}}'
        )
      )
    ).toEqual([]);
  });
});
