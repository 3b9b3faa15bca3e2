/**
 * Host mode from a read-only tree (the CVMFS shape, issue 10 item 4): the
 * test image's file system unpacked into a directory and mounted read-only
 * where /cvmfs/unpacked.cern.ch/... would be, entered with `source
 * .../setupMe-on-host.sh`, and JupyterLab started from it in a Slurm job as
 * the unprivileged hub user. The image prefix is /opt/conda inside the image
 * and nowhere on this host, so every path must be found from the mount.
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { makeScratch } from '../harness/paths';
import { treeChecksum } from '../harness/unprivilegedBase';
import { unpackedImage } from './harness/images';
import {
  getFromLab,
  kernelDisplayNames,
  labExtensionsListed,
  PROBE_CODE,
  probeValues,
  runOnLab,
  waitForLab,
  type IRemoteLab
} from './harness/lab';
import { mountReadOnly, unmount } from './harness/mount';
import { freePort } from './harness/ports';
import {
  cancelJob,
  jobState,
  startCluster,
  submitAsUser,
  type ICluster
} from './harness/slurm';
import { asHubUser, hubUser } from './harness/user';

const MOUNT_AT = 'unpacked.cern.ch/registry.local/ml-hub-test';

let scratch: { dir: string; cleanup: () => void };
let cluster: ICluster | null = null;
let mountPoint = '';
let treeBefore = '';
let tree = '';
let home = '';
let lab: IRemoteLab;
let jobId = '';

/** The bash the user's job runs: enter the image env from the mount, start JupyterLab. */
function labJob(port: number, token: string): string {
  return [
    '#!/bin/bash',
    'set -e',
    `source '${mountPoint}/opt/conda/etc/ml-containers/setupMe-on-host.sh'`,
    'cd "$HOME"',
    // `python3 -m`: the console scripts' shebangs name /opt/conda, which is the image's path, not the host's.
    `exec python3 -m jupyterlab --no-browser --ip 127.0.0.1 --port ${port} --ServerApp.port_retries=0 ` +
      `--IdentityProvider.token=${token} --ServerApp.root_dir="$HOME"`
  ].join('\n');
}

beforeAll(async () => {
  scratch = makeScratch('hub-cvmfs');
  tree = unpackedImage();
  treeBefore = treeChecksum(tree);
  mountPoint = mountReadOnly(tree, MOUNT_AT);
  const user = hubUser();
  home = path.join(scratch.dir, 'home');
  fs.mkdirSync(home);
  fs.chownSync(home, user.uid, user.gid);
  cluster = await startCluster('hostmode');
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  jobId = submitAsUser(cluster, labJob(port, token), home, { HOME: home });
  const output = path.join(home, `slurm-${jobId}.out`);
  lab = {
    baseUrl: `http://127.0.0.1:${port}/`,
    token,
    log: () =>
      fs.existsSync(output)
        ? fs.readFileSync(output, 'utf-8')
        : '(no job output yet)'
  };
  await waitForLab(lab, () => jobState(cluster as ICluster, jobId) !== '');
}, 1800000);

afterAll(async () => {
  if (cluster && jobId) {
    await cancelJob(cluster, jobId).catch(() => undefined);
  }
  cluster?.stop();
  if (mountPoint) {
    unmount(mountPoint);
  }
  scratch?.cleanup();
}, 180000);

describe('host mode from a read-only unpacked image, JupyterLab in a Slurm job', () => {
  it('serves the image kernels, found through JUPYTER_PATH under the mount', async () => {
    const names = await kernelDisplayNames(lab);
    expect(names['python3']).toBe('ML-Python3');
    expect(names['python3-usersite']).toBe('ML-Python3-usersite');
    // The launcher card's data, served from the spec folder on the mount.
    const card = await getFromLab(lab, 'kernelspecs/python3/image.json');
    expect(card.status).toBe(200);
    expect(JSON.parse(card.text).name).toBe('ml-test');
  });

  it("loads the launcher section's labextension from the tree", async () => {
    expect(await labExtensionsListed(lab)).toContain(
      'jupyterlab-ml-containers'
    );
  });

  it("runs ML-Python3 on the tree's interpreter without the user site", async () => {
    const values = probeValues(await runOnLab(lab, 'python3', PROBE_CODE));
    expect(values.EXE.startsWith(`${mountPoint}/opt/conda/bin/python3`)).toBe(
      true
    );
    expect(values.USERSITE).toBe('False');
  });

  it("creates an extended env in the user's home whose kernel the server then lists and runs", async () => {
    const created = asHubUser(
      'bash',
      [
        '-c',
        `source '${mountPoint}/opt/conda/etc/ml-containers/setupMe-on-host.sh' && cd "$HOME" && mlc env create "$HOME/myEnv"`
      ],
      { env: { HOME: home }, timeoutMs: 300000 }
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const names = await kernelDisplayNames(lab);
    const envKernel = Object.keys(names).find(
      name =>
        !['python3', 'python3-usersite'].includes(name) &&
        names[name].includes('myEnv')
    );
    expect(envKernel).toBeDefined();
    const values = probeValues(
      await runOnLab(lab, envKernel as string, PROBE_CODE)
    );
    expect(values.PREFIX).toBe(path.join(home, 'myEnv'));
  });

  it('wrote nothing under the tree', () => {
    expect(treeChecksum(tree)).toBe(treeBefore);
  });
});
