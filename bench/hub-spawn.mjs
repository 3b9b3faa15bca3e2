#!/usr/bin/env node
/**
 * Time from "Start My Server" to the launcher's image section drawn, in
 * Debian's Chromium, on the BNL path (JupyterHub + SlurmSpawner: a Slurm
 * job running the single-user server in the hub image with rootless
 * podman) against the same hub with SimpleLocalProcessSpawner (the same
 * server as a local process: no batch system, no container). The ratio is
 * what the batch path and the container add. Needs root (Slurm, runuser).
 *
 *   node bench/hub-spawn.mjs [--runs N]      (default 3 runs of each, alternating)
 *
 * The harness is the hub tests' own (tests/hub/harness), bundled by esbuild
 * into build/bench/ at the start. Prints medians and the ratio.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' } }
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('hub-spawn: error: --runs needs a positive whole number');
  process.exit(2);
}

// The harness finds the repository by walking up to its package.json.
const bundle = path.join(REPO, 'build', 'bench', 'hub', 'harness.cjs');
await build({
  stdin: {
    contents:
      "export * from './tests/hub/harness/bnlHub'; export * from './tests/hub/harness/browser';",
    resolveDir: REPO,
    loader: 'ts'
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: bundle,
  external: ['playwright-core'],
  logLevel: 'error'
});
const harness = await import(pathToFileURL(bundle).href);

/** One timed start: hub home -> Start My Server -> section drawn; then stop it. */
async function timeOneStart(page, hubUrl) {
  await page.goto(new URL('hub/home', hubUrl).href);
  await page.locator('#start').waitFor({ state: 'visible', timeout: 120000 });
  const started = performance.now();
  await page.locator('#start').click();
  await harness.launcherSection(page).first().waitFor({ timeout: 600000 });
  const seconds = (performance.now() - started) / 1000;
  await page.goto(new URL('hub/home', hubUrl).href);
  await page.locator('#stop').click();
  await page.locator('#start').waitFor({ state: 'visible', timeout: 180000 });
  return seconds;
}

const median = list =>
  [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mlc-hub-bench-'));
chmodSync(scratch, 0o755);
const hubs = {};
const browser = await harness.launchChromium();
const times = { local: [], slurm: [] };
try {
  for (const kind of ['local', 'slurm']) {
    hubs[kind] = await harness.startBnlHub(
      `bench-${kind}`,
      path.join(scratch, `home-${kind}`),
      kind
    );
    hubs[kind].page = await browser.newPage({
      viewport: { width: 1400, height: 900 }
    });
    await hubs[kind].page.goto(
      new URL('hub/login?next=%2Fhub%2Fhome', hubs[kind].hub.url).href
    );
    await hubs[kind].page.locator('#username_input').fill('mlc-hub');
    await hubs[kind].page.locator('#password_input').fill('any');
    await hubs[kind].page.locator('#login_submit').click();
    await hubs[kind].page.waitForURL(/\/hub\/home/, { timeout: 60000 });
  }
  for (let run = 0; run < runs; run++) {
    for (const kind of ['local', 'slurm']) {
      const seconds = await timeOneStart(hubs[kind].page, hubs[kind].hub.url);
      times[kind].push(seconds);
      console.error(`run ${run + 1} ${kind}: ${seconds.toFixed(1)} s`);
    }
  }
} finally {
  await browser.close().catch(() => undefined);
  for (const kind of Object.keys(hubs)) {
    await hubs[kind].stop();
  }
  rmSync(scratch, { recursive: true, force: true });
}
const local = median(times.local);
const slurm = median(times.slurm);
console.log(
  `"Start My Server" to the image section drawn, median of ${runs} (seconds):`
);
console.log(
  `  SimpleLocalProcessSpawner (reference): ${local.toFixed(1)}   [${times.local.map(t => t.toFixed(1)).join(', ')}]`
);
console.log(
  `  SlurmSpawner + rootless podman:        ${slurm.toFixed(1)}   [${times.slurm.map(t => t.toFixed(1)).join(', ')}]`
);
console.log(`  ratio Slurm/local: ${(slurm / local).toFixed(2)}`);
