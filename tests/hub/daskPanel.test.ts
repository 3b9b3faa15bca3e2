/**
 * The Dask panel (dask-labextension, in the hub image) on an extended env's
 * configuration (issue 17), in Debian's Chromium: JupyterLab from the hub
 * prefix mounted read-only (host mode) runs as a Slurm job of the hub user;
 * `mlc env dask-config --panel` made the env's SLURMCluster the panel's
 * factory. *New* starts a cluster, *Scale* asks for a worker, which runs as
 * a Slurm job of the hub user, and the cluster's dashboard link answers.
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import type { Browser, Page } from 'playwright-core';
import { makeScratch } from '../harness/paths';
import { launchChromium } from './harness/browser';
import { hubPrefix } from './harness/images';
import { waitForLab, type IRemoteLab } from './harness/lab';
import { mountReadOnly, unmount } from './harness/mount';
import { freePort, waitFor } from './harness/ports';
import {
  cancelJob,
  jobState,
  slurm,
  startCluster,
  submitAsUser,
  type ICluster
} from './harness/slurm';
import { asHubUser, hubUser } from './harness/user';

const MOUNT_AT = 'unpacked.cern.ch/registry.local/ml-dask-panel/opt/conda';

let scratch: { dir: string; cleanup: () => void };
let cluster: ICluster | null = null;
let base = '';
let home = '';
let labJob = '';
let lab: IRemoteLab;
let browser: Browser | null = null;
let page: Page;

/** The hub user's Slurm jobs other than the lab's: the Dask workers. */
function workerJobs(): string[] {
  const listed = slurm(cluster as ICluster, 'squeue', [
    '-h',
    '-u',
    hubUser().name,
    '-o',
    '%i %T'
  ]);
  return listed.stdout
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !line.startsWith(`${labJob} `));
}

beforeAll(async () => {
  scratch = makeScratch('hub-dask-panel');
  base = mountReadOnly(hubPrefix(), MOUNT_AT);
  const user = hubUser();
  home = path.join(scratch.dir, 'home');
  fs.mkdirSync(home);
  fs.chownSync(home, user.uid, user.gid);
  cluster = await startCluster('dask-panel');
  const env = path.join(home, 'panelEnv');
  const asUser = (file: string, args: string[]) =>
    asHubUser(file, args, {
      env: { HOME: home, SLURM_CONF: (cluster as ICluster).conf },
      timeoutMs: 300000,
      cwd: home
    });
  expect(asUser(`${base}/bin/mlc`, ['env', 'create', env]).code).toBe(0);
  const written = asUser(`${base}/bin/mlc`, [
    'env',
    'dask-config',
    env,
    '--panel',
    '--scheduler-host',
    '127.0.0.1',
    '--memory',
    '1GiB'
  ]);
  expect(written.code).toBe(0);
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  labJob = submitAsUser(
    cluster,
    [
      '#!/bin/bash',
      'set -e',
      `export PATH='${base}/bin':"$PATH"`,
      'cd "$HOME"',
      `exec python3 -m jupyterlab --no-browser --ip 127.0.0.1 --port ${port} --ServerApp.port_retries=0 ` +
        `--IdentityProvider.token=${token} --ServerApp.root_dir="$HOME"`
    ].join('\n'),
    home,
    { HOME: home, SLURM_CONF: cluster.conf }
  );
  const output = path.join(home, `slurm-${labJob}.out`);
  lab = {
    baseUrl: `http://127.0.0.1:${port}/`,
    token,
    log: () =>
      fs.existsSync(output) ? fs.readFileSync(output, 'utf-8') : '(no output)'
  };
  await waitForLab(lab, () => jobState(cluster as ICluster, labJob) !== '');
  browser = await launchChromium();
  // Tall enough that the panel's cluster manager is on show below its dashboard box.
  page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
}, 1800000);

afterAll(async () => {
  await browser?.close();
  if (cluster && labJob) {
    await cancelJob(cluster, labJob).catch(() => undefined);
  }
  cluster?.stop();
  if (base) {
    unmount(base);
  }
  scratch?.cleanup();
}, 180000);

describe("the Dask panel on an env's configuration", () => {
  it('New starts the cluster, Scale makes a worker a Slurm job, and the dashboard link answers', async () => {
    await page.goto(`${lab.baseUrl}lab?token=${lab.token}`);
    await page
      .locator('.jp-SideBar [data-id="dask-dashboard-launcher"]')
      .click({ timeout: 180000 });
    await page.locator('[data-command="dask:launch-cluster"]').click();
    const card = page.locator('.dask-ClusterListingItem').first();
    await card.waitFor({ timeout: 180000 });
    await card.locator('.dask-ClusterListingItem-scale').click();
    const input = page.locator('.jp-Dialog .dask-ScalingInput').first();
    await input.fill('1');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    const jobs = await waitFor(
      'a Dask worker job of the hub user',
      async () => (workerJobs().length > 0 ? workerJobs() : null),
      180000
    );
    expect(jobs.length).toBe(1);
    const href = await card
      .locator('.dask-ClusterListingItem-link a')
      .first()
      .getAttribute('href');
    expect(href).toBeTruthy();
    const dashboard = await page.request.get(
      new URL(href as string, lab.baseUrl).href
    );
    expect(dashboard.status()).toBe(200);
  });
});
