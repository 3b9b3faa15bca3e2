#!/usr/bin/env node
/**
 * What mlc's start costs beyond Node's own, and what each start-up idea
 * gives, in one run: `node -e 0`; the built-ins the bundle now loads only
 * when used (child_process, crypto), loaded eagerly; `mlc --version` of the
 * bundle without and with Node's compile cache (warm). Medians of N
 * round-robin runs, and each as a ratio of `node -e 0` in the same run.
 *
 *   node bench/startup.mjs [--runs N] [--node PATH]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { wheelNode } from './lib/launcher.mjs';
import { median } from './lib/measure.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = path.join(REPO, 'jupyterlab_ml_containers', 'mlc', 'mlc.cjs');

function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '21' },
      node: { type: 'string' }
    }
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`--runs must be a whole number, got '${values.runs}'`);
  }
  const node = values.node
    ? path.resolve(values.node)
    : (wheelNode() ?? process.execPath);
  if (!existsSync(BUNDLE)) {
    throw new Error(`${BUNDLE} is missing; run 'npm run build:cli' first`);
  }
  const cache = mkdtempSync(path.join(os.tmpdir(), 'mlc-startup-cache-'));
  const clean = { ...process.env };
  for (const name of ['NODE_OPTIONS', 'NODE_COMPILE_CACHE']) {
    delete clean[name];
  }
  const cases = [
    { label: 'node -e 0', args: ['-e', '0'] },
    {
      label: "node -e \"require('child_process'); require('crypto')\"",
      args: ['-e', "require('child_process'); require('crypto')"]
    },
    { label: 'mlc --version', args: [BUNDLE, '--version'] },
    {
      label: 'mlc --version, compile cache (warm)',
      args: [BUNDLE, '--version'],
      env: { NODE_COMPILE_CACHE: cache }
    }
  ];
  try {
    const times = cases.map(() => []);
    for (let round = -1; round < runs; round++) {
      cases.forEach((_, k) => {
        const i = (k + Math.max(round, 0)) % cases.length;
        const item = cases[i];
        const start = process.hrtime.bigint();
        const result = spawnSync(node, item.args, {
          env: { ...clean, ...(item.env ?? {}) },
          stdio: 'ignore'
        });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (result.status !== 0) {
          throw new Error(`${item.label} failed (exit ${result.status})`);
        }
        if (round >= 0) {
          times[i].push(ms); // round -1 warms the caches, the compile cache among them
        }
      });
    }
    const base = median(times[0]);
    const version = spawnSync(node, ['--version'], {
      encoding: 'utf-8'
    }).stdout.trim();
    const lines = [
      `mlc start-up (${node}, ${version}; medians of ${runs}, ${new Date().toISOString()})`,
      '',
      '| command | median | / node -e 0 |',
      '|---|---|---|'
    ];
    cases.forEach((item, i) => {
      const value = median(times[i]);
      lines.push(
        `| ${item.label} | ${value.toFixed(1)} ms | ${(value / base).toFixed(2)}x |`
      );
    });
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  process.stderr.write(`startup.mjs: error: ${error.message.split('\n')[0]}\n`);
  process.exitCode = 1;
}
