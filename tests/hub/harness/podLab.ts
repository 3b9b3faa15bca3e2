/**
 * JupyterLab as a pod's container command (the UChicago shape): `jupyter
 * lab` with a token, run by rootless podman as the hub user, with a
 * mounted home. Kubernetes is not here; the container is what the pod
 * runs, started detached and reached over the host's network.
 */
import { randomBytes } from 'crypto';
import { HUB_IMAGE } from './images';
import { waitForLab, type IRemoteLab } from './lab';
import { freePort } from './ports';
import { asHubUser } from './user';

/** Where the home volume is mounted in the container. */
export const POD_HOME = '/home/jovyan';

export interface IPodLab extends IRemoteLab {
  name: string;
  stop: () => void;
}

/** Start the container on `home` (a host directory the hub user owns) and wait until it answers. */
export async function startPodLab(home: string): Promise<IPodLab> {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const name = `mlc-hub-pod-${randomBytes(4).toString('hex')}`;
  const started = asHubUser(
    'podman',
    [
      'run',
      '-d',
      '--name',
      name,
      '--network=host',
      '--userns=keep-id',
      '-v',
      `${home}:${POD_HOME}`,
      '-e',
      `HOME=${POD_HOME}`,
      '-w',
      POD_HOME,
      HUB_IMAGE,
      'jupyter',
      'lab',
      '--no-browser',
      '--ip',
      '127.0.0.1',
      `--port=${port}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${POD_HOME}`
    ],
    { timeoutMs: 120000 }
  );
  if (started.code !== 0) {
    throw new Error(`podman run failed: ${started.stderr.trim()}`);
  }
  const lab: IPodLab = {
    name,
    baseUrl: `http://127.0.0.1:${port}/`,
    token,
    log: () => {
      const logs = asHubUser('podman', ['logs', name]);
      return logs.stdout + logs.stderr;
    },
    stop: () => {
      asHubUser('podman', ['rm', '-f', '-t', '10', name], { timeoutMs: 60000 });
    }
  };
  try {
    await waitForLab(
      lab,
      () =>
        asHubUser('podman', [
          'inspect',
          '-f',
          '{{.State.Running}}',
          name
        ]).stdout.trim() === 'true'
    );
  } catch (error) {
    lab.stop();
    throw error;
  }
  return lab;
}

/** `podman exec` in the running container as its user; the code is the test's own. */
export function execInPod(
  lab: IPodLab,
  command: string[]
): { code: number; stdout: string; stderr: string } {
  return asHubUser(
    'podman',
    ['exec', '-e', `HOME=${POD_HOME}`, '-w', POD_HOME, lab.name, ...command],
    { timeoutMs: 300000 }
  );
}
