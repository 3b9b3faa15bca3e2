/**
 * The environment mlc runs pip in: nothing of the caller's that sends pip
 * elsewhere, and no forced colour (pip prints `--report -` through rich,
 * which would put ANSI codes into the JSON mlc parses: a JupyterLab started
 * by a test runner with FORCE_COLOR=1 made every preview fail).
 */
import { pipEnvironment } from '../../src/cli/env/pipRun';

describe('pipEnvironment', () => {
  it('drops forced colour and asks for none', () => {
    const env = pipEnvironment({
      PATH: '/usr/bin',
      FORCE_COLOR: '1',
      CLICOLOR_FORCE: '1',
      PY_COLORS: '1'
    });
    expect(env.FORCE_COLOR).toBeUndefined();
    expect(env.CLICOLOR_FORCE).toBeUndefined();
    expect(env.PY_COLORS).toBeUndefined();
    expect(env.NO_COLOR).toBe('1');
    expect(env.PATH).toBe('/usr/bin');
  });

  it('drops what would install elsewhere than the env', () => {
    const env = pipEnvironment({
      PIP_TARGET: '/tmp/x',
      PIP_USER: '1',
      PYTHONPATH: '/tmp/y',
      VIRTUAL_ENV: '/tmp/z'
    });
    expect(
      ['PIP_TARGET', 'PIP_USER', 'PYTHONPATH', 'VIRTUAL_ENV'].filter(
        name => name in env
      )
    ).toEqual([]);
    expect(env.PYTHONNOUSERSITE).toBe('1');
  });
});
