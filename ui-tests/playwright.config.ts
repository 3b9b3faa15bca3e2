/**
 * UI tests: Galata/Playwright in Debian's Chromium against a real JupyterLab
 * (ui-tests/start-jupyter.sh) on the demo image env. Run them with
 * ui-tests/run.sh, which builds what is missing and sets the variables below.
 */
import { defineConfig } from '@playwright/test';
import * as path from 'path';

const galataConfig = require('@jupyterlab/galata/lib/playwright-config');

const REPO = path.resolve(__dirname, '..');
// Workers load this file again: the port and folders come from the
// environment, never from a random choice here.
const port = Number(process.env.MLC_UI_PORT ?? 8899);
process.env.MLC_UI_PORT = String(port);
process.env.MLC_DEMO_IMAGE ??= path.join(REPO, 'build', 'demo-image');
process.env.MLC_UI_STATE ??= path.join(REPO, 'build', 'ui-tests-state');
// A second JupyterLab with terminals disabled (envs.spec.ts: the command to paste).
const noTerminalsPort = Number(
  process.env.MLC_UI_PORT_NO_TERMINALS ?? port + 1
);
process.env.MLC_UI_PORT_NO_TERMINALS = String(noTerminalsPort);

export default defineConfig({
  ...galataConfig,
  testDir: './tests',
  outputDir: './test-results',
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'playwright-report' }]
  ],
  // One JupyterLab, one kernel at a time: this machine has 2 cores.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 60_000 },
  use: {
    ...galataConfig.use,
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1280, height: 800 },
    trace: 'off',
    video: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic'
      ]
    }
  },
  webServer: [
    {
      command: `bash ${JSON.stringify(path.join(__dirname, 'start-jupyter.sh'))}`,
      url: `http://127.0.0.1:${port}/lab`,
      reuseExistingServer: false,
      timeout: 120_000,
      // SIGTERM lets jupyter_server shut its kernels down before it exits.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
      stdout: 'ignore',
      stderr: 'pipe'
    },
    {
      command: `bash ${JSON.stringify(path.join(__dirname, 'start-jupyter.sh'))} --ServerApp.terminals_enabled=False`,
      url: `http://127.0.0.1:${noTerminalsPort}/lab`,
      env: {
        MLC_UI_PORT: String(noTerminalsPort),
        MLC_UI_STATE: `${process.env.MLC_UI_STATE}-no-terminals`
      },
      reuseExistingServer: false,
      timeout: 120_000,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
      stdout: 'ignore',
      stderr: 'pipe'
    }
  ]
});
