/** The JUPYTER_PATH settings `mlc kernels install` and `mlc kernels env` produce. */
import {
  APPTAINER_ENV_FILE,
  apptainerEnvScript,
  ENTRY_POINT_PATHS,
  entryPointFiles,
  envLines,
  jupyterPathOf
} from '../../src/cli/kernels/entryPoints';

describe('envLines', () => {
  it('prints the exact line for each format', () => {
    expect(envLines('docker', '/opt/conda')).toEqual([
      'ENV JUPYTER_PATH=/opt/conda/share/jupyter'
    ]);
    expect(envLines('sh', '/opt/conda')).toEqual([
      'export JUPYTER_PATH=/opt/conda/share/jupyter'
    ]);
    expect(envLines('csh', '/opt/conda')).toEqual([
      'setenv JUPYTER_PATH /opt/conda/share/jupyter'
    ]);
    expect(envLines('apptainer', '/opt/conda')).toEqual([
      'export JUPYTER_PATH=/opt/conda/share/jupyter'
    ]);
  });

  it('quotes a prefix with a space for each target', () => {
    expect(envLines('docker', '/my envs/x')).toEqual([
      'ENV JUPYTER_PATH="/my envs/x/share/jupyter"'
    ]);
    expect(envLines('sh', '/my envs/x')).toEqual([
      "export JUPYTER_PATH='/my envs/x/share/jupyter'"
    ]);
    expect(envLines('csh', '/my envs/x')).toEqual([
      "setenv JUPYTER_PATH '/my envs/x/share/jupyter'"
    ]);
  });
});

describe('jupyterPathOf', () => {
  it('is <prefix>/share/jupyter', () => {
    expect(jupyterPathOf('/opt/conda')).toBe('/opt/conda/share/jupyter');
    expect(jupyterPathOf('/opt/conda/')).toBe('/opt/conda/share/jupyter');
    expect(jupyterPathOf('/')).toBe('/share/jupyter');
  });
});

describe('entryPointFiles', () => {
  const files = entryPointFiles('/opt/conda');

  it('writes every entry point, each once', () => {
    expect(files.map(file => file.path).sort()).toEqual(
      Object.values(ENTRY_POINT_PATHS).sort()
    );
  });

  it('is deterministic: the same prefix gives the same bytes', () => {
    expect(entryPointFiles('/opt/conda')).toEqual(files);
  });

  it('puts the install-time prefix in only as a quoted fallback', () => {
    const weird = entryPointFiles("/it's here");
    const host =
      weird.find(file => file.path === ENTRY_POINT_PATHS.hostSh)?.content ?? '';
    expect(host).toContain("_mlc_prefix='/it'\\''s here'");
    const hostCsh =
      weird.find(file => file.path === ENTRY_POINT_PATHS.hostCsh)?.content ??
      '';
    expect(hostCsh).toContain("set _mlc_prefix = '/it'\"'\"'s here'");
  });

  it('gives the Apptainer file the same line `mlc kernels env --format apptainer` prints', () => {
    expect(APPTAINER_ENV_FILE).toBe('90-ml-containers.sh');
    const script = apptainerEnvScript('/opt/conda');
    const code = script
      .split('\n')
      .filter(line => line && !line.startsWith('#'));
    expect(code).toEqual(envLines('apptainer', '/opt/conda'));
  });
});
