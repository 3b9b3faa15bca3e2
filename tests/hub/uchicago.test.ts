/**
 * The UChicago shape (issue 10 item 3): the portal's pod runs `jupyter lab`
 * in the image as its command, with a token and the user's home on a
 * volume. Both ML kernels, the launcher section and an extended env made
 * in the mounted home work, and the env (with a package installed into it)
 * is still there in a new container on the same home.
 */
import * as fs from 'fs';
import * as path from 'path';
import { makeScratch } from '../harness/paths';
import { buildWheel } from '../harness/unprivilegedBase';
import { removeUserContainers } from './harness/containers';
import { hubImageForUser } from './harness/images';
import {
  kernelDisplayNames,
  labExtensionsListed,
  PROBE_CODE,
  probeValues,
  runOnLab
} from './harness/lab';
import {
  execInPod,
  POD_HOME,
  startPodLab,
  type IPodLab
} from './harness/podLab';
import { hubUser } from './harness/user';

let scratch: { dir: string; cleanup: () => void };
let home = '';
let pod: IPodLab | null = null;

/** The env's kernel name, as the server lists it. */
async function envKernel(lab: IPodLab): Promise<string | undefined> {
  const names = await kernelDisplayNames(lab);
  return Object.keys(names).find(
    name =>
      !['python3', 'python3-usersite'].includes(name) &&
      names[name].includes('myEnv')
  );
}

beforeAll(async () => {
  scratch = makeScratch('hub-pod');
  hubImageForUser();
  const user = hubUser();
  home = path.join(scratch.dir, 'home');
  fs.mkdirSync(home);
  buildWheel(path.join(home, 'wheels'), 'mlcprobe', '4.2');
  for (const entry of [
    home,
    path.join(home, 'wheels'),
    ...fs
      .readdirSync(path.join(home, 'wheels'))
      .map(name => path.join(home, 'wheels', name))
  ]) {
    fs.chownSync(entry, user.uid, user.gid);
  }
  pod = await startPodLab(home);
}, 1800000);

afterAll(() => {
  pod?.stop();
  removeUserContainers();
  scratch?.cleanup();
}, 180000);

describe('jupyter lab as the container command, with a token and a mounted home', () => {
  it('serves both ML kernels and loads the launcher section', async () => {
    const lab = pod as IPodLab;
    const names = await kernelDisplayNames(lab);
    expect(names['python3']).toBe('ML-Python3');
    expect(names['python3-usersite']).toBe('ML-Python3-usersite');
    expect(await labExtensionsListed(lab)).toContain(
      'jupyterlab-ml-containers'
    );
    for (const kernel of ['python3', 'python3-usersite']) {
      const values = probeValues(await runOnLab(lab, kernel, PROBE_CODE));
      expect(values.EXE).toMatch(/^\/opt\/conda\/bin\/python3/);
    }
  });

  it('extends the image in the mounted home; a new container on the same home finds the env and its package', async () => {
    let lab = pod as IPodLab;
    const created = execInPod(lab, [
      'mlc',
      'env',
      'create',
      `${POD_HOME}/myEnv`
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const installed = execInPod(lab, [
      `${POD_HOME}/myEnv/bin/python`,
      '-m',
      'pip',
      'install',
      '-q',
      '--no-index',
      '--find-links',
      `${POD_HOME}/wheels`,
      'mlcprobe'
    ]);
    expect(installed.code).toBe(0);
    const code = `${PROBE_CODE}\nimport mlcprobe\nprint("PROBE=" + mlcprobe.__version__)`;
    const kernel = await envKernel(lab);
    expect(kernel).toBeDefined();
    const first = probeValues(await runOnLab(lab, kernel as string, code));
    expect(first.PREFIX).toBe(`${POD_HOME}/myEnv`);
    expect(first.PROBE).toBe('4.2');

    lab.stop();
    pod = null;
    lab = await startPodLab(home);
    pod = lab;
    expect(await envKernel(lab)).toBe(kernel);
    const again = probeValues(await runOnLab(lab, kernel as string, code));
    expect(again.PREFIX).toBe(`${POD_HOME}/myEnv`);
    expect(again.PROBE).toBe('4.2');
    // The image env never had it.
    const image = probeValues(
      await runOnLab(
        lab,
        'python3',
        'import importlib.util\nprint("HAS=" + str(importlib.util.find_spec("mlcprobe") is not None))'
      )
    );
    expect(image.HAS).toBe('False');
  });
});
