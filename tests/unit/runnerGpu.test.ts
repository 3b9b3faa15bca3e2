/** GPU plans on fake device trees and CDI spec directories (no GPU needed). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { planGpu } from '../../src/cli/runner/gpu';

let root: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlc-gpu-'));
  fs.mkdirSync(path.join(root, 'dev'));
  fs.mkdirSync(path.join(root, 'etc-cdi'));
  fs.mkdirSync(path.join(root, 'run-cdi'));
  env = {
    MLC_GPU_DEV_ROOT: path.join(root, 'dev'),
    MLC_CDI_DIRS: `${path.join(root, 'etc-cdi')}:${path.join(root, 'run-cdi')}`
  };
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function withDriver(): void {
  fs.writeFileSync(path.join(root, 'dev', 'nvidiactl'), '');
  fs.writeFileSync(path.join(root, 'dev', 'nvidia0'), '');
}

describe('GPU plans', () => {
  it('gives podman the CDI device only where an nvidia.com/gpu spec exists (YAML or JSON, either directory)', () => {
    withDriver();
    expect(planGpu('auto', 'podman', env)).toMatchObject({
      mode: 'none',
      args: [],
      note: expect.stringContaining('no CDI spec')
    });
    expect(() => planGpu('all', 'podman', env)).toThrow(
      /--gpu all: NVIDIA devices found but no CDI spec/
    );
    fs.writeFileSync(
      path.join(root, 'etc-cdi', 'other.yaml'),
      'cdiVersion: 0.5.0\nkind: vendor.com/fpga\n'
    );
    expect(planGpu('auto', 'podman', env).mode).toBe('none');
    fs.writeFileSync(
      path.join(root, 'run-cdi', 'nvidia.json'),
      JSON.stringify({
        cdiVersion: '0.5.0',
        kind: 'nvidia.com/gpu',
        devices: []
      })
    );
    expect(planGpu('auto', 'podman', env)).toEqual({
      mode: 'cdi',
      args: ['--device', 'nvidia.com/gpu=all'],
      note: null
    });
  });

  it('gives docker and nerdctl --gpus all, Apptainer and Singularity --nv', () => {
    withDriver();
    expect(planGpu('auto', 'docker', env).args).toEqual(['--gpus', 'all']);
    expect(planGpu('auto', 'nerdctl', env).args).toEqual(['--gpus', 'all']);
    expect(planGpu('auto', 'apptainer', env).args).toEqual(['--nv']);
    expect(planGpu('auto', 'singularity', env).args).toEqual(['--nv']);
  });

  it('makes a CPU container with one line on a host without a driver (the seed crashed), and refuses --gpu all there', () => {
    for (const engine of ['podman', 'docker', 'apptainer'] as const) {
      expect(planGpu('auto', engine, env)).toEqual({
        mode: 'none',
        args: [],
        note: 'no NVIDIA GPU driver found: setting up a CPU-only container'
      });
      expect(() => planGpu('all', engine, env)).toThrow(
        /no NVIDIA GPU driver found/
      );
    }
    expect(
      planGpu('auto', 'docker', {
        MLC_GPU_DEV_ROOT: path.join(root, 'missing')
      }).mode
    ).toBe('none');
  });

  it('does nothing with --gpu none, even with a driver', () => {
    withDriver();
    expect(planGpu('none', 'docker', env)).toEqual({
      mode: 'none',
      args: [],
      note: null
    });
  });
});
