#!/usr/bin/env node
/**
 * Click to tile: in a real JupyterLab on the demo image, the time from the
 * Create button of the "Create Extended Environment" dialog to the env's
 * tile in the launcher, with its breakdown from the extension's `mlc:*`
 * performance marks (src/lab/envActions/timing.ts). Debian's Chromium, driven by
 * playwright-core. Medians of several runs, after one warm-up run.
 *
 *   node bench/click-to-tile.mjs [--runs N] [--think-ms MS] [--reference-commit REF] [--keep-state]
 *
 * --reference-commit: also measure the extension as built from that commit
 * (git archive, tsc, jupyter-builder, under build/bench/reference-<sha>/),
 * on a second server, the runs of the two interleaved so that both see the
 * same load; prints the ratio of the medians. The machine is shared: only
 * ratios from one run compare.
 *
 * --think-ms: how long the "user" spends in the dialog before clicking
 * Create (typing a name); default 1500. The server is started as
 * scripts/demo.sh starts it (JupyterLab's default terminal shell: a login
 * shell, since its output is not a terminal), on this tree's built
 * labextension (npm run build:lib && npm run build:labextension first) and
 * the demo image (scripts/make-demo-image.sh build/demo-image).
 * Everything it makes lives in build/bench/click-to-tile-<pid>/, removed
 * at the end.
 */
/* global window, document, Element, MutationObserver -- the page's, in page.evaluate */
/* global fetch -- Node's own (>= 18) */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
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
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
];
/** The moments the extension marks, in the order they happen. */
const MARKS = [
  'create-confirmed',
  'folder-ready',
  'session-request',
  'session-started',
  'connected',
  'prompt',
  'typed',
  'result',
  'refresh-start',
  'end',
  'specs-refreshed',
  'session-closed'
];

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'think-ms': { type: 'string', default: '1500' },
    'reference-commit': { type: 'string' },
    'keep-state': { type: 'boolean', default: false }
  }
});
const RUNS = Number(options.runs);
const THINK_MS = Number(options['think-ms']);
if (
  !Number.isInteger(RUNS) ||
  RUNS < 1 ||
  !Number.isFinite(THINK_MS) ||
  THINK_MS < 0
) {
  fail('--runs takes a whole number >= 1 and --think-ms a number >= 0');
}
for (const [what, file, todo] of [
  ['JupyterLab', JUPYTER, 'run scripts/setup.sh'],
  [
    'the labextension',
    path.join(LABEXTENSION, 'package.json'),
    'run npm run build:lib && npm run build:labextension'
  ],
  [
    'the demo image',
    path.join(DEMO, '.demo-image-ready'),
    'run scripts/make-demo-image.sh build/demo-image'
  ],
  ['chromium', '/usr/bin/chromium', 'apt-get install chromium']
]) {
  if (!existsSync(file)) {
    fail(`${what} is missing (${file}); ${todo}`);
  }
}

/** The servers' stderr, shown when one does not start. */
const serverLog = [];
const variants = [{ label: 'this tree', labextension: LABEXTENSION }];
if (options['reference-commit']) {
  const ref = options['reference-commit'];
  variants.push({
    label: `reference ${ref}`,
    labextension: buildReference(ref)
  });
}
// Ctrl-C: stop the servers too (the finally below does the rest).
process.once('SIGINT', () =>
  variants.forEach(variant => variant.server?.kill('SIGTERM'))
);
let browser = null;
try {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_FLAGS
  });
  for (const [index, variant] of variants.entries()) {
    variant.state = path.join(
      REPO,
      'build',
      'bench',
      `click-to-tile-${process.pid}-${index}`
    );
    const port = await freePort();
    const token = randomBytes(16).toString('hex');
    variant.server = startServer(
      variant.state,
      variant.labextension,
      port,
      token
    );
    await waitForServer(variant.server, port, token);
    variant.page = await browser.newPage({
      viewport: { width: 1280, height: 800 }
    });
    await variant.page.goto(`http://127.0.0.1:${port}/lab?token=${token}`);
    await variant.page.waitForFunction(
      () => window.jupyterapp?.commands.hasCommand('ml-containers:create-env'),
      null,
      { timeout: 60_000 }
    );
    await variant.page.evaluate(() =>
      window.jupyterapp.commands.execute('launcher:create')
    );
    await variant.page
      .locator('.jp-MLC-sectionWidget:visible')
      .first()
      .waitFor({ timeout: 30_000 });
    variant.samples = [];
  }
  for (let run = 0; run <= RUNS; run++) {
    for (const variant of variants) {
      const sample = await measureOnce(variant.page, `bench-${run}`);
      const mlc = sample.mlcMs ?? '?';
      log(
        `${variant.label}, run ${run || 'warm-up'}: ${sample.totalMs.toFixed(0)} ms (mlc's own work ${mlc} ms)`
      );
      if (run > 0) {
        variant.samples.push(sample);
      }
    }
  }
  for (const variant of variants) {
    report(variant.label, variant.samples);
  }
  if (variants.length === 2) {
    const [mine, reference] = variants.map(variant =>
      median(variant.samples.map(sample => sample.totalMs))
    );
    console.log(
      `ratio this tree / reference (medians of the totals): ${(mine / reference).toFixed(2)}`
    );
  }
} finally {
  await browser?.close();
  for (const variant of variants) {
    if (variant.server) {
      if (variant.server.exitCode === null) {
        variant.server.kill('SIGTERM');
        await new Promise(resolve => variant.server.once('exit', resolve));
      }
    }
    // Only ever remove a folder this run made (it carries our marker).
    if (
      !options['keep-state'] &&
      variant.state &&
      existsSync(path.join(variant.state, '.click-to-tile-state'))
    ) {
      rmSync(variant.state, { recursive: true, force: true });
    }
  }
}

/**
 * The labextension as built from `ref`, made once under
 * build/bench/reference-<sha>/ (the shared node_modules linked in).
 */
function buildReference(ref) {
  let sha;
  try {
    sha = execFileSync(
      'git',
      ['-C', REPO, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`],
      {
        encoding: 'utf-8'
      }
    ).trim();
  } catch {
    fail(
      `--reference-commit ${ref} names no commit of this repository; give a commit such as HEAD~3`
    );
  }
  const dir = path.join(REPO, 'build', 'bench', `reference-${sha}`);
  const built = path.join(dir, 'jupyterlab_ml_containers', 'labextension');
  if (existsSync(path.join(dir, '.reference-built'))) {
    return built;
  }
  log(`building the reference labextension of ${sha}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', [
    '-c',
    'git -C "$1" archive "$2" | tar -x -C "$3"',
    'sh',
    REPO,
    sha,
    dir
  ]);
  symlinkSync(
    realpathSync(path.join(REPO, 'node_modules')),
    path.join(dir, 'node_modules')
  );
  execFileSync(
    path.join(REPO, 'node_modules', '.bin', 'tsc'),
    ['-p', 'tsconfig.json'],
    { cwd: dir, stdio: 'ignore' }
  );
  execFileSync(
    path.join(REPO, '.venv', 'bin', 'jupyter-builder'),
    ['build', '.'],
    { cwd: dir, stdio: 'ignore' }
  );
  writeFileSync(path.join(dir, '.reference-built'), '');
  return built;
}

/** One create, from the click on Create to the tile; the marks relative to the click. */
async function measureOnce(page, name) {
  void page.evaluate(() => {
    void window.jupyterapp.commands.execute('ml-containers:create-env');
  });
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('input[name="mlc-env-name"]').fill(name);
  await page.waitForTimeout(THINK_MS);
  const timing = page.evaluate(
    envName =>
      new Promise((resolve, reject) => {
        performance.clearMarks();
        let clickedAt = null;
        const onClick = event => {
          if (
            event.target instanceof Element &&
            event.target.closest('.jp-Dialog .jp-mod-accept')
          ) {
            clickedAt = performance.now();
          }
        };
        document.addEventListener('click', onClick, true);
        const tile = () =>
          [
            ...document.querySelectorAll(
              '[aria-label="Your extended envs"] [role="listitem"]'
            )
          ].some(
            item =>
              item.getAttribute('aria-label') === envName &&
              item.getClientRects().length > 0
          );
        const observer = new MutationObserver(() => {
          if (clickedAt !== null && tile()) {
            const tileAt = performance.now();
            observer.disconnect();
            document.removeEventListener('click', onClick, true);
            clearTimeout(timer);
            const marks = {};
            for (const mark of performance.getEntriesByType('mark')) {
              if (mark.name.startsWith('mlc:')) {
                marks[mark.name.slice(4)] = mark.startTime - clickedAt;
              }
            }
            resolve({ totalMs: tileAt - clickedAt, marks });
          }
        });
        observer.observe(document.body, {
          childList: true,
          subtree: true,
          attributes: true
        });
        const timer = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`no tile for ${envName} within 120 s`));
        }, 120_000);
      }),
    name
  );
  await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
  const sample = await timing;
  const toast = page
    .locator('.Toastify__toast', { hasText: `${name} in` })
    .last();
  const text = await toast.textContent({ timeout: 30_000 }).catch(() => '');
  const match = / in (\d+) ms/.exec(text ?? '');
  sample.mlcMs = match ? Number(match[1]) : null;
  // Close the notifications, so the next run's toast is its own.
  await page
    .evaluate(() =>
      window.jupyterapp.commands.execute('apputils:dismiss-notifications')
    )
    .catch(() => undefined);
  return sample;
}

function report(label, samples) {
  const lines = [];
  lines.push(
    `${label}: click to tile, ${samples.length} runs after a warm-up, think time ${THINK_MS} ms`
  );
  lines.push(
    `  total (Create click -> tile visible): median ${median(samples.map(s => s.totalMs)).toFixed(0)} ms` +
      `  [${samples.map(s => s.totalMs.toFixed(0)).join(', ')}]`
  );
  const mlc = samples.map(s => s.mlcMs).filter(value => value !== null);
  if (mlc.length) {
    lines.push(
      `  mlc's own work (its elapsedMs):     median ${median(mlc).toFixed(0)} ms`
    );
  }
  lines.push(
    '  moments after the click (medians, ms), and the step before each:'
  );
  let previous = 0;
  for (const mark of MARKS) {
    const values = samples
      .map(s => s.marks[mark])
      .filter(value => value !== undefined);
    if (values.length === 0) {
      continue;
    }
    const at = median(values);
    lines.push(
      `    ${mark.padEnd(18)} ${at.toFixed(0).padStart(6)}   (+${(at - previous).toFixed(0)})`
    );
    previous = Math.max(previous, at);
  }
  const total = median(samples.map(s => s.totalMs));
  lines.push(
    `    ${'tile'.padEnd(18)} ${total.toFixed(0).padStart(6)}   (+${(total - previous).toFixed(0)})`
  );
  console.log(lines.join('\n'));
}

function startServer(dir, labextension, port, token) {
  mkdirSync(path.join(dir, 'labextensions'), { recursive: true });
  writeFileSync(path.join(dir, '.click-to-tile-state'), '');
  for (const sub of [
    'data',
    'runtime',
    'config/labconfig',
    'work',
    'settings',
    'workspaces'
  ]) {
    mkdirSync(path.join(dir, sub), { recursive: true });
  }
  // As scripts/demo.sh: no news toast.
  writeFileSync(
    path.join(dir, 'config', 'labconfig', 'page_config.json'),
    JSON.stringify({
      disabledExtensions: {
        '@jupyterlab/apputils-extension:announcements': true
      }
    })
  );
  symlinkSync(
    labextension,
    path.join(dir, 'labextensions', 'jupyterlab-ml-containers')
  );
  const env = {
    ...process.env,
    JUPYTER_PATH: path.join(DEMO, 'share', 'jupyter'),
    JUPYTER_DATA_DIR: path.join(dir, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(dir, 'runtime'),
    JUPYTER_CONFIG_DIR: path.join(dir, 'config'),
    PATH: `${path.join(REPO, '.venv', 'bin')}:${process.env.PATH}`
  };
  delete env.JUPYTER_CONFIG_PATH;
  const args = [
    '--no-browser',
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--ServerApp.port_retries=0',
    `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${path.join(dir, 'work')}`,
    `--LabServerApp.extra_labextensions_path=${path.join(dir, 'labextensions')}`,
    `--LabApp.user_settings_dir=${path.join(dir, 'settings')}`,
    `--LabApp.workspaces_dir=${path.join(dir, 'workspaces')}`,
    '--LabApp.expose_app_in_browser=True',
    '--LabApp.news_url=None',
    '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'
  ];
  if (process.getuid?.() === 0) {
    args.push('--allow-root');
  }
  const child = spawn(JUPYTER, args, {
    env,
    cwd: path.join(dir, 'work'),
    stdio: ['ignore', 'ignore', 'pipe']
  });
  child.stderr.on('data', chunk => serverLog.push(String(chunk)));
  return child;
}

async function waitForServer(server, port, token) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(
        `http://127.0.0.1:${port}/api/status?token=${token}`
      );
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    if (server.exitCode !== null) {
      break;
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  throw new Error(
    `JupyterLab did not start within 60 s:\n${serverLog.join('').slice(-2000)}`
  );
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
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

function log(message) {
  process.stderr.write(`click-to-tile: ${message}\n`);
}

function fail(message) {
  process.stderr.write(`click-to-tile: error: ${message}\n`);
  process.exit(2);
}
