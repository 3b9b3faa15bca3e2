/**
 * GPU access for a new container: NVIDIA's device nodes (`/dev/nvidiactl`,
 * `/dev/nvidia0`...) say a driver is loaded; a CDI spec naming
 * `nvidia.com/gpu` in /etc/cdi or /var/run/cdi says podman can hand the
 * devices over. MLC_GPU_DEV_ROOT and MLC_CDI_DIRS (colon-separated) move
 * those roots (tests use a fake tree). A host without a driver gets a CPU
 * container and one line saying so (the seed crashed there).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Engine, WorkState } from '../../core/runner/workState';
import { UserError } from '../errors';
import { readRegularFile } from '../fs/regularFile';

export type GpuRequest = 'auto' | 'all' | 'none';

export interface IGpuPlan {
  mode: WorkState['gpu'];
  args: string[];
  /** One line for the user, or null. */
  note: string | null;
}

export function planGpu(
  request: GpuRequest,
  engine: Engine,
  env: NodeJS.ProcessEnv
): IGpuPlan {
  if (request === 'none') {
    return { mode: 'none', args: [], note: null };
  }
  const devices = Private.nvidiaDevices(env.MLC_GPU_DEV_ROOT || '/dev');
  if (devices.length === 0) {
    if (request === 'all') {
      throw new UserError(
        '--gpu all: no NVIDIA GPU driver found (no /dev/nvidia* devices)',
        'install the NVIDIA driver, or use --gpu none',
        1
      );
    }
    return {
      mode: 'none',
      args: [],
      note: 'no NVIDIA GPU driver found: setting up a CPU-only container'
    };
  }
  if (engine === 'podman') {
    const dirs = (env.MLC_CDI_DIRS ?? '/etc/cdi:/var/run/cdi')
      .split(':')
      .filter(Boolean);
    if (Private.hasNvidiaCdiSpec(dirs)) {
      return {
        mode: 'cdi',
        args: ['--device', 'nvidia.com/gpu=all'],
        note: null
      };
    }
    const line = `NVIDIA devices found but no CDI spec in ${dirs.join(' or ')}; generate one with 'nvidia-ctk cdi generate'`;
    if (request === 'all') {
      throw new UserError(`--gpu all: ${line}`, 'or use --gpu none', 1);
    }
    return {
      mode: 'none',
      args: [],
      note: `${line}: setting up a CPU-only container`
    };
  }
  if (engine === 'docker' || engine === 'nerdctl') {
    return { mode: 'gpus', args: ['--gpus', 'all'], note: null };
  }
  return { mode: 'nv', args: ['--nv'], note: null };
}

namespace Private {
  export function nvidiaDevices(root: string): string[] {
    try {
      return fs
        .readdirSync(root)
        .filter(name => name === 'nvidiactl' || /^nvidia\d+$/.test(name));
    } catch {
      return [];
    }
  }

  export function hasNvidiaCdiSpec(dirs: string[]): boolean {
    for (const dir of dirs) {
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (!/\.(ya?ml|json)$/.test(name)) {
          continue;
        }
        // An unreadable spec (or one that is no regular file) is not usable.
        const read = readRegularFile(path.join(dir, name), {
          maxBytes: 16 * 1024 * 1024
        });
        // CDI's `kind: nvidia.com/gpu` (YAML) or "kind": "nvidia.com/gpu" (JSON).
        if (
          read.ok &&
          /["']?kind["']?\s*:\s*["']?nvidia\.com\/gpu\b/.test(read.text)
        ) {
          return true;
        }
      }
    }
    return false;
  }
}
