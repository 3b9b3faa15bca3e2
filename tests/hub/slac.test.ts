/**
 * The SLAC shape (issue 10 item 2): an Open OnDemand "custom image" session
 * is a Slurm job whose script sources the user's script defining `jupyter`,
 * then runs `jupyter lab ...`. Here the script comes from `mlc hub
 * ondemand-script` with podman as the engine (Apptainer is not packaged
 * for this Debian: its form's exact text is checked in
 * tests/unit/hubOndemandScript.test.ts), the session a Slurm job of the
 * unprivileged hub user running rootless podman.
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { makeScratch, MLC_BUNDLE } from '../harness/paths';
import { HUB_IMAGE, hubImageForUser } from './harness/images';
import {
  kernelDisplayNames,
  labExtensionsListed,
  PROBE_CODE,
  probeValues,
  runOnLab,
  waitForLab,
  type IRemoteLab
} from './harness/lab';
import { freePort } from './harness/ports';
import {
  cancelJob,
  jobState,
  startCluster,
  submitAsUser,
  type ICluster
} from './harness/slurm';
import { asHubUser, hubUser, podmanEnv } from './harness/user';
import { removeUserContainers } from './harness/containers';

let scratch: { dir: string; cleanup: () => void };
let cluster: ICluster | null = null;
let home = '';
let lab: IRemoteLab;
let jobId = '';
let scriptText = '';

/** The session's job: source the user's script, then start JupyterLab as OnDemand's template does. */
function sessionJob(scriptFile: string, port: number, token: string): string {
  return [
    '#!/bin/bash',
    'set -e',
    `source '${scriptFile}'`,
    'cd "$HOME"',
    `jupyter lab --no-browser --ip 127.0.0.1 --port ${port} --ServerApp.port_retries=0 ` +
      `--IdentityProvider.token=${token} --ServerApp.root_dir="$HOME"`
  ].join('\n');
}

beforeAll(async () => {
  scratch = makeScratch('hub-slac');
  hubImageForUser();
  const user = hubUser();
  home = path.join(scratch.dir, 'home');
  fs.mkdirSync(home);
  fs.chownSync(home, user.uid, user.gid);
  const scriptFile = path.join(home, 'ml-jupyter.sh');
  const written = asHubUser(
    'node',
    [
      MLC_BUNDLE,
      'hub',
      'ondemand-script',
      HUB_IMAGE,
      '--engine',
      'podman',
      '-B',
      `${scratch.dir}/data`,
      '-o',
      scriptFile
    ],
    { env: { HOME: home } }
  );
  if (written.code !== 0) {
    throw new Error(`mlc hub ondemand-script failed: ${written.stderr}`);
  }
  scriptText = fs.readFileSync(scriptFile, 'utf-8');
  fs.mkdirSync(path.join(scratch.dir, 'data'));
  cluster = await startCluster('slac');
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  jobId = submitAsUser(cluster, sessionJob(scriptFile, port, token), home, {
    HOME: home,
    ...podmanEnv()
  });
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
  removeUserContainers();
  scratch?.cleanup();
}, 180000);

describe('an Open OnDemand custom-image session in a Slurm job, through mlc hub ondemand-script', () => {
  it('defines jupyter as podman running the image', () => {
    expect(scriptText).toContain(
      'jupyter() {\n    podman run --rm --network=host --userns=keep-id '
    );
    expect(scriptText).toContain(` ${HUB_IMAGE} jupyter "$@"\n}`);
  });

  it('serves the image kernels and loads the launcher section', async () => {
    const names = await kernelDisplayNames(lab);
    expect(names['python3']).toBe('ML-Python3');
    expect(names['python3-usersite']).toBe('ML-Python3-usersite');
    expect(await labExtensionsListed(lab)).toContain(
      'jupyterlab-ml-containers'
    );
  });

  it("runs ML-Python3 on the image's interpreter, in the session's home", async () => {
    const values = probeValues(
      await runOnLab(
        lab,
        'python3',
        `${PROBE_CODE}\nimport os\nprint("HOME=" + os.environ["HOME"])`
      )
    );
    expect(values.EXE).toMatch(/^\/opt\/conda\/bin\/python3/);
    expect(values.USERSITE).toBe('False');
    expect(values.HOME).toBe(home);
  });
});
