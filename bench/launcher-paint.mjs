#!/usr/bin/env node
/**
 * The launcher's first paint with 30 extended envs, with and without the
 * session's env check (the one `mlc env list` through a headless terminal
 * that finds image updates and deleted envs): in a real JupyterLab on the
 * demo image, Debian's Chromium driven by playwright-core, the time from
 * navigation to the frame that shows all 30 env tiles. Two servers on the
 * same Jupyter data dir, one with terminals disabled (no check can run),
 * the runs interleaved so both see the same load; medians and their ratio.
 * For the server with the check, also when the check finished.
 *
 *   node bench/launcher-paint.mjs [--runs N] [--envs N] [--keep-state]
 *
 * Needs the built labextension (npm run build:lib && npm run
 * build:labextension) and the demo image (scripts/make-demo-image.sh
 * build/demo-image). Everything lives in build/bench/launcher-paint-<pid>/,
 * removed at the end.
 */
/* global document -- the page's, in page.waitForFunction */
/* global fetch -- Node's own (>= 18) */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = path.join(REPO, 'build', 'demo-image');
const LABEXTENSION = path.join(
  REPO,
  'jupyterlab_ml_containers',
  'labextension'
);
const JUPYTER = path.join(REPO, '.venv', 'bin', 'jupyter-lab');

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    envs: { type: 'string', default: '30' },
    'keep-state': { type: 'boolean', default: false }
  }
});
const RUNS = Number(options.runs);
const ENVS = Number(options.envs);
if (!existsSync(path.join(LABEXTENSION, 'package.json'))) {
  fail(
    'the labextension is not built; run: npm run build:lib && npm run build:labextension'
  );
}
if (!existsSync(path.join(DEMO, 'bin', 'mlc'))) {
  fail('no demo image; run: scripts/make-demo-image.sh build/demo-image');
}

const state = path.join(
  REPO,
  'build',
  'bench',
  `launcher-paint-${process.pid}`
);
const servers = [];
try {
  for (const sub of [
    'data',
    'runtime',
    'config',
    'work/ml-envs',
    'labextensions'
  ]) {
    mkdirSync(path.join(state, sub), { recursive: true });
  }
  symlinkSync(
    LABEXTENSION,
    path.join(state, 'labextensions', 'jupyterlab-ml-containers')
  );
  log(`creating ${ENVS} envs on the demo image`);
  for (let i = 0; i < ENVS; i++) {
    execFileSync(
      path.join(DEMO, 'bin', 'mlc'),
      [
        'env',
        'create',
        path.join(state, 'work', 'ml-envs', `env-${String(i).padStart(2, '0')}`)
      ],
      { env: serverEnv(), stdio: 'ignore' }
    );
  }
  const token = randomBytes(16).toString('hex');
  const withCheck = await startServer('with', token, []);
  const without = await startServer('without', token, [
    '--ServerApp.terminals_enabled=False'
  ]);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  });
  const samples = { with: [], without: [], checkDone: [] };
  try {
    // One warm-up run each (browser and server caches), then interleaved runs.
    for (let run = 0; run <= RUNS; run++) {
      for (const [label, server] of [
        ['with', withCheck],
        ['without', without]
      ]) {
        const measured = await measureOnce(
          browser,
          server,
          token,
          label === 'with'
        );
        if (run > 0) {
          samples[label].push(measured.paint);
          if (measured.checkDone !== null) {
            samples.checkDone.push(measured.checkDone);
          }
        }
        log(
          `run ${run}${run ? '' : ' (warm-up)'} ${label}: ${measured.paint.toFixed(0)} ms to ${ENVS} tiles` +
            (measured.checkDone !== null
              ? `, check done at ${measured.checkDone.toFixed(0)} ms`
              : '')
        );
      }
    }
  } finally {
    await browser.close();
  }
  const a = median(samples.with);
  const b = median(samples.without);
  process.stdout.write(
    [
      `Launcher first paint with ${ENVS} envs (navigation start to the frame with every env tile), median of ${RUNS}:`,
      `  with the session's env check:    ${a.toFixed(0)} ms`,
      `  without it (terminals disabled): ${b.toFixed(0)} ms`,
      `  ratio with/without: ${(a / b).toFixed(3)}`,
      `  the check's mlc env list finished at ${median(samples.checkDone).toFixed(0)} ms (median), after the paint`,
      ''
    ].join('\n')
  );
} finally {
  for (const server of servers) {
    server.kill('SIGTERM');
  }
  if (!options['keep-state']) {
    await new Promise(resolve => setTimeout(resolve, 1000));
    rmSync(state, { recursive: true, force: true });
  }
}

async function measureOnce(browser, server, token, expectCheck) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 }
  });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${server.port}/lab?token=${token}`);
  const paint = await page.waitForFunction(
    count =>
      document.querySelectorAll('.jp-MLC-envTile').length >= count &&
      performance.now(),
    ENVS,
    { polling: 'raf', timeout: 120_000 }
  );
  let checkDone = null;
  if (expectCheck) {
    const done = await page.waitForFunction(
      () =>
        performance.getEntriesByName('mlc:session-check-done')[0]?.startTime ??
        false,
      undefined,
      { timeout: 120_000 }
    );
    checkDone = await done.jsonValue();
  }
  const result = { paint: await paint.jsonValue(), checkDone };
  await context.close();
  return result;
}

function serverEnv() {
  return {
    ...process.env,
    HOME: path.join(state, 'work'),
    JUPYTER_PATH: path.join(DEMO, 'share', 'jupyter'),
    JUPYTER_DATA_DIR: path.join(state, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(state, 'runtime'),
    JUPYTER_CONFIG_DIR: path.join(state, 'config'),
    PATH: `${path.join(REPO, '.venv', 'bin')}:${process.env.PATH}`
  };
}

async function startServer(label, token, extra) {
  const port = await freePort();
  const args = [
    '--no-browser',
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--ServerApp.port_retries=0',
    `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${path.join(state, 'work')}`,
    `--LabServerApp.extra_labextensions_path=${path.join(state, 'labextensions')}`,
    `--LabApp.user_settings_dir=${path.join(state, `settings-${label}`)}`,
    `--LabApp.workspaces_dir=${path.join(state, `workspaces-${label}`)}`,
    '--LabApp.news_url=None',
    '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
    ...extra
  ];
  if (process.getuid?.() === 0) {
    args.push('--allow-root');
  }
  const env = serverEnv();
  delete env.JUPYTER_CONFIG_PATH;
  const child = spawn(JUPYTER, args, {
    env,
    cwd: path.join(state, 'work'),
    stdio: 'ignore'
  });
  servers.push(child);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if (
        (await fetch(`http://127.0.0.1:${port}/api/status?token=${token}`)).ok
      ) {
        child.port = port;
        return child;
      }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  fail(`JupyterLab (${label}) did not start within 60 s`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

function log(message) {
  process.stderr.write(`launcher-paint: ${message}\n`);
}

function fail(message) {
  process.stderr.write(`launcher-paint: error: ${message}\n`);
  process.exit(2);
}
