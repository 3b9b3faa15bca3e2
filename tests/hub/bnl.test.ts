/**
 * The BNL shape end to end (issue 10 item 1), in Debian's Chromium: log in
 * to JupyterHub (dummy authenticator), spawn (a Slurm job running the
 * single-user server in the image with rootless podman, the host's Python
 * directory first on PATH and PYTHONHOME set), see the launcher's image
 * section, run ML-Python3 (the image's interpreter, no ~/.local package),
 * create an extended env from the palette in the user's home and run its
 * kernel; stop; spawn again (a new Slurm job) and find the env's tile and
 * kernel still there.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { makeScratch } from '../harness/paths';
import {
  envTile,
  launchChromium,
  launcherSection,
  logIn,
  openLauncher,
  outputValues,
  runCell,
  runFromPalette,
  tile
} from './harness/browser';
import { removeUserContainers } from './harness/containers';
import { startBnlHub, type IBnlHub } from './harness/bnlHub';
import { waitFor } from './harness/ports';
import { slurm, type ICluster } from './harness/slurm';
import { hubUser } from './harness/user';

const ENV_NAME = 'hubEnv';
const PROBE =
  'import sys, site, importlib.util; print("EXE=" + sys.executable); print("PREFIX=" + sys.prefix); ' +
  'print("MARKER=" + str(importlib.util.find_spec("mlc_marker") is not None))';

let scratch: { dir: string; cleanup: () => void };
let bnl: IBnlHub | null = null;
let browser: Browser | null = null;
let page: Page;

/** The spawner's Slurm jobs now queued or running. */
function spawnerJobs(): string[] {
  const listed = slurm(bnl?.cluster as ICluster, 'squeue', [
    '-h',
    '-n',
    'spawner-jupyterhub',
    '-o',
    '%i'
  ]);
  return listed.stdout.split('\n').filter(line => line.trim() !== '');
}

/** Wait for the single-user server's launcher section, with the hub's log on failure. */
async function waitForSection(): Promise<void> {
  try {
    await launcherSection(page).first().waitFor({ timeout: 300000 });
  } catch (error) {
    const jobLogs = fs
      .readdirSync(bnl!.home)
      .filter(name => name.startsWith('jupyterhub_slurmspawner_'));
    const last = jobLogs.length
      ? fs.readFileSync(path.join(bnl!.home, jobLogs.sort().pop()!), 'utf-8')
      : '';
    throw new Error(
      `${(error as Error).message}\nhub log:\n${bnl!.hub.log().slice(-3000)}\njob log:\n${last.slice(-3000)}`
    );
  }
}

/**
 * After a new spawn the workspace comes back with its notebooks, and may
 * ask about their kernels: answer as a user does (Escape), then open a
 * launcher until the image section is on show (bounded).
 */
async function showLauncherSection(): Promise<void> {
  await waitFor(
    'the image section after the new spawn',
    async () => {
      if ((await page.locator('.jp-Dialog').count()) > 0) {
        await page.keyboard.press('Escape');
        return null;
      }
      if ((await launcherSection(page).count()) > 0) {
        return true;
      }
      await openLauncher(page).catch(() => undefined);
      return null;
    },
    300000,
    1000
  );
}

beforeAll(async () => {
  scratch = makeScratch('hub-bnl');
  const home = path.join(scratch.dir, 'home');
  bnl = await startBnlHub('bnl', home);
  // A package in the user site, as hubs leave in ~/.local: ML-Python3 must not see it.
  const site = path.join(home, '.local', 'lib', 'python3.11', 'site-packages');
  fs.mkdirSync(site, { recursive: true });
  fs.writeFileSync(path.join(site, 'mlc_marker.py'), 'LEAKED = True\n');
  const user = hubUser();
  for (const dir of [
    path.join(home, '.local'),
    path.join(home, '.local', 'lib'),
    path.join(home, '.local', 'lib', 'python3.11'),
    site,
    path.join(site, 'mlc_marker.py')
  ]) {
    fs.chownSync(dir, user.uid, user.gid);
  }
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 1800000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await bnl?.stop();
  removeUserContainers();
  scratch?.cleanup();
}, 300000);

describe('JupyterHub with SlurmSpawner, the server in the image by rootless podman', () => {
  let firstJob = '';

  it('logs in, spawns a Slurm job and draws the image section', async () => {
    await logIn(page, bnl!.hub.url, hubUser().name);
    await waitForSection();
    await page.waitForURL(/\/user\/mlc-hub\/lab/, { timeout: 60000 });
    await tile(page, 'python3').first().waitFor({ timeout: 60000 });
    await tile(page, 'python3-usersite').first().waitFor({ timeout: 60000 });
    const jobs = spawnerJobs();
    expect(jobs).toHaveLength(1);
    firstJob = jobs[0];
  });

  it("runs ML-Python3 on the image's interpreter, without the ~/.local package", async () => {
    await tile(page, 'python3')
      .first()
      .locator('button[data-kind="notebook"]')
      .click();
    const output = await runCell(page, PROBE, 'ML-Python3');
    const values = outputValues(output);
    expect(values.EXE).toMatch(/^\/opt\/conda\/bin\/python3/);
    expect(output).toContain('MARKER=False');
  });

  it("creates an extended env from the palette in the user's home and runs its kernel", async () => {
    await runFromPalette(page, 'Create Extended Environment');
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('input[name="mlc-env-name"]').fill(ENV_NAME);
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    const created = page.locator('.Toastify__toast', { hasText: 'Created' });
    await created.waitFor({ timeout: 300000 });
    expect(
      fs.existsSync(path.join(bnl!.home, 'ml-envs', ENV_NAME, 'pyvenv.cfg'))
    ).toBe(true);
    await created.getByRole('button', { name: 'Open a notebook' }).click();
    const output = await runCell(page, PROBE, ENV_NAME);
    expect(output).toContain(
      `PREFIX=${path.join(bnl!.home, 'ml-envs', ENV_NAME)}`
    );
  });

  it("stops, spawns a new Slurm job, and finds the env's tile and kernel still working", async () => {
    await page.goto(new URL('hub/home', bnl!.hub.url).href);
    // The page shows "Start" before the hub has finished stopping: wait for its answer.
    const stopped = page.waitForResponse(
      response =>
        response.request().method() === 'DELETE' &&
        response.url().includes('/hub/api/users/mlc-hub/server'),
      { timeout: 180000 }
    );
    await page.locator('#stop').click();
    expect((await stopped).status()).toBeLessThan(300);
    // The hub answers before Slurm has ended the job (scancel, then the container stops).
    await waitFor(
      'the server job to end',
      async () => (spawnerJobs().length === 0 ? true : null),
      120000
    );
    // The spawn page "Start My Server" leads to (its link, /user/mlc-hub, goes
    // there by redirects that a page still showing the stop does not follow).
    await page.goto(new URL('hub/spawn/mlc-hub', bnl!.hub.url).href);
    await page.locator('.jp-LabShell').waitFor({ timeout: 300000 });
    await showLauncherSection();
    const jobs = spawnerJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).not.toBe(firstJob);
    const envTileNow = envTile(page, ENV_NAME);
    await envTileNow.waitFor({ timeout: 60000 });
    await envTileNow.locator('button[data-kind="notebook"]').click();
    const output = await runCell(page, PROBE, ENV_NAME);
    expect(output).toContain(
      `PREFIX=${path.join(bnl!.home, 'ml-envs', ENV_NAME)}`
    );
  }, 900000);
});
