/**
 * The BNL shape assembled: a one-node Slurm cluster and JupyterHub with
 * batchspawner's SlurmSpawner, whose job runs the single-user server in the
 * hub image with rootless podman, the host's Python directory (the hub
 * prefix, mounted at its own path) first on PATH and PYTHONHOME set to it.
 * Shared by the BNL test and bench/hub-spawn.mjs's Slurm path.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HUB_IMAGE, HUB_PREFIX, hubImageForUser } from './images';
import { startHub, type IHub } from './hub';
import { startCluster, type ICluster } from './slurm';
import { hubUser } from './user';

export interface IBnlHub {
  hub: IHub;
  cluster: ICluster | null;
  /** The user's home for the single-user servers (the job's HOME). */
  home: string;
  stop: () => Promise<void>;
}

/** Start the hub; `spawner` 'local' gives the reference hub (no Slurm, no container). */
export async function startBnlHub(
  name: string,
  home: string,
  spawner: 'slurm' | 'local' = 'slurm'
): Promise<IBnlHub> {
  hubImageForUser();
  const user = hubUser();
  fs.mkdirSync(home, { recursive: true });
  fs.chownSync(home, user.uid, user.gid);
  const cluster =
    spawner === 'slurm' ? await startCluster(`${name}-slurm`) : null;
  try {
    const hub = await startHub(name, {
      settings: {
        MLC_HUB_SPAWNER: spawner,
        MLC_HUB_IMAGE: HUB_IMAGE,
        MLC_HUB_HOST_PYTHON: HUB_PREFIX,
        MLC_HUB_USER_HOME: home,
        MLC_HUB_XDG_CONFIG: path.join(user.home, '.config'),
        ...(cluster ? { SLURM_CONF: cluster.conf } : {})
      }
    });
    return {
      hub,
      cluster,
      home,
      stop: async () => {
        await hub.stop();
        cluster?.stop();
      }
    };
  } catch (error) {
    cluster?.stop();
    throw error;
  }
}
