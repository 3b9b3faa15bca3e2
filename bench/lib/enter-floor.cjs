'use strict';
/**
 * The floor of `mlc enter -- COMMAND` on Node: a Node process that only
 * spawns the engine's exec with stdio inherited and exits with its status
 * (no state file, no ownership proof, no engine search). Timed beside mlc
 * by bench/verbs.mjs; what mlc spends above it is its own.
 *
 *   node bench/lib/enter-floor.cjs ENGINE ARGS...
 */
const { spawn } = require('node:child_process');

const [engine, ...args] = process.argv.slice(2);
spawn(engine, args, { stdio: 'inherit' })
  .on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  })
  .on('error', error => {
    process.stderr.write(`enter-floor: ${error.message}\n`);
    process.exitCode = 1;
  });
