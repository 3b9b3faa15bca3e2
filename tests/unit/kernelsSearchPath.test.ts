/**
 * The kernel search order, as jupyter_core's jupyter_path('kernels') and
 * jupyter_client's KernelSpecManager compute it. The integration test
 * kernels-doctor.test.ts checks the result against `jupyter kernelspec list`.
 */
import {
  ipythonDir,
  kernelSearchDirs,
  preferEnvOverUser,
  type IJupyterFacts,
  type ISearchInputs
} from '../../src/cli/kernels/searchPath';

const VENV: IJupyterFacts = {
  prefix: '/srv/venv',
  basePrefix: '/usr',
  executable: '/srv/venv/bin/python3',
  version: '3.11',
  enableUserSite: false,
  userBase: '/home/u/.local',
  hasIPython: true,
  ipykernelResources: null,
  probed: true
};

function inputs(
  env: ISearchInputs['env'],
  jupyter: IJupyterFacts | null = VENV,
  owns = false
): ISearchInputs {
  return {
    env,
    home: '/home/u',
    realHome: '/real/u',
    jupyter,
    ownsJupyterPrefix: owns
  };
}

const dirs = (given: ISearchInputs) =>
  kernelSearchDirs(given).map(entry => `${entry.source} ${entry.dir}`);

describe('kernelSearchDirs', () => {
  it('puts JUPYTER_PATH first, then the user, the env, the system and IPython', () => {
    expect(
      dirs(
        inputs({
          JUPYTER_PATH: '/opt/conda/share/jupyter/:/x',
          JUPYTER_PREFER_ENV_PATH: '0'
        })
      )
    ).toEqual([
      'JUPYTER_PATH /opt/conda/share/jupyter/kernels',
      'JUPYTER_PATH /x/kernels',
      'user /real/u/.local/share/jupyter/kernels',
      'env /srv/venv/share/jupyter/kernels',
      'system /usr/local/share/jupyter/kernels',
      'system /usr/share/jupyter/kernels',
      'ipython /real/u/.ipython/kernels'
    ]);
  });

  it('uses JUPYTER_DATA_DIR, then XDG_DATA_HOME, for the user directory', () => {
    expect(dirs(inputs({ JUPYTER_DATA_DIR: '/d' }))).toContain(
      'user /d/kernels'
    );
    expect(dirs(inputs({ XDG_DATA_HOME: '/xdg' }))).toContain(
      'user /xdg/jupyter/kernels'
    );
  });

  it("adds the Python user base's share/jupyter when the user site is on", () => {
    const withSite = { ...VENV, enableUserSite: true, userBase: '/ub' };
    expect(
      dirs(
        inputs(
          { JUPYTER_DATA_DIR: '/d', JUPYTER_PREFER_ENV_PATH: '0' },
          withSite
        )
      ).slice(0, 3)
    ).toEqual([
      'user /d/kernels',
      'user /ub/share/jupyter/kernels',
      'env /srv/venv/share/jupyter/kernels'
    ]);
  });

  it('moves the env directory before the user one when JUPYTER_PREFER_ENV_PATH is set', () => {
    expect(dirs(inputs({ JUPYTER_PREFER_ENV_PATH: '1' })).slice(0, 2)).toEqual([
      'env /srv/venv/share/jupyter/kernels',
      'user /real/u/.local/share/jupyter/kernels'
    ]);
  });

  it('does not list a system directory twice, nor an env that is a system one', () => {
    const usr = { ...VENV, prefix: '/usr', basePrefix: '/usr' };
    const listed = dirs(inputs({ JUPYTER_PATH: '/usr/share/jupyter' }, usr));
    expect(listed).toEqual([
      'JUPYTER_PATH /usr/share/jupyter/kernels',
      'user /real/u/.local/share/jupyter/kernels',
      'system /usr/local/share/jupyter/kernels',
      'ipython /real/u/.ipython/kernels'
    ]);
  });

  it('keeps an empty JUPYTER_PATH entry as the relative "kernels", as Python does', () => {
    expect(dirs(inputs({ JUPYTER_PATH: '/a::/b' })).slice(0, 3)).toEqual([
      'JUPYTER_PATH /a/kernels',
      'JUPYTER_PATH kernels',
      'JUPYTER_PATH /b/kernels'
    ]);
  });

  it('searches no env directory when no Jupyter was found, and no IPython one without IPython', () => {
    expect(dirs(inputs({}, null))).not.toContainEqual(
      expect.stringMatching(/^env /)
    );
    const noIPython = { ...VENV, hasIPython: false };
    expect(dirs(inputs({}, noIPython))).not.toContainEqual(
      expect.stringMatching(/^ipython /)
    );
  });

  it('follows JUPYTER_PLATFORM_DIRS to XDG_DATA_DIRS for the system directories', () => {
    const listed = dirs(
      inputs({
        JUPYTER_PLATFORM_DIRS: '1',
        XDG_DATA_DIRS: '/s1:/s2',
        JUPYTER_DATA_DIR: '/d'
      })
    );
    expect(listed).toContain('system /s1/jupyter/kernels');
    expect(listed).toContain('system /s2/jupyter/kernels');
    expect(listed).not.toContain('system /usr/share/jupyter/kernels');
  });
});

describe('preferEnvOverUser', () => {
  it('follows JUPYTER_PREFER_ENV_PATH when it is set, even to an empty value', () => {
    expect(
      preferEnvOverUser(inputs({ JUPYTER_PREFER_ENV_PATH: 'no' }, VENV, true))
    ).toBe(false);
    expect(
      preferEnvOverUser(inputs({ JUPYTER_PREFER_ENV_PATH: 'Off' }, VENV, true))
    ).toBe(false);
    expect(preferEnvOverUser(inputs({ JUPYTER_PREFER_ENV_PATH: '' }))).toBe(
      true
    );
  });

  it('prefers the env of a venv the user owns, and of a non-base conda env', () => {
    expect(preferEnvOverUser(inputs({}, VENV, true))).toBe(true);
    expect(preferEnvOverUser(inputs({}, VENV, false))).toBe(false);
    const conda = { ...VENV, prefix: '/c/envs/x', basePrefix: '/c/envs/x' };
    expect(
      preferEnvOverUser(
        inputs(
          { CONDA_PREFIX: '/c/envs/x', CONDA_DEFAULT_ENV: 'x' },
          conda,
          true
        )
      )
    ).toBe(true);
    expect(
      preferEnvOverUser(inputs({ CONDA_PREFIX: '/c/envs/x' }, conda, true))
    ).toBe(false);
  });
});

describe('ipythonDir', () => {
  it('expands and normalises IPYTHONDIR', () => {
    expect(ipythonDir(inputs({ IPYTHONDIR: '~/ip/../ipy/' }))).toBe(
      '/home/u/ipy'
    );
    expect(ipythonDir(inputs({}))).toBe('/real/u/.ipython');
  });
});
