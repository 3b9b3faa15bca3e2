/**
 * The floor of `mlc env create` on Node: what is left when only the file
 * system work an env needs is done, as fast as Node does it. It replays an
 * env made before (its directories, links and files, recorded once with
 * `--record ENV MANIFEST`) into TARGET: one mkdir per directory, one
 * symlink per link, one write per file, after reading the manifest (as
 * create reads the image's plan). No checks, no records parsed, nothing
 * else: mlc cannot do less than this and still make the env.
 *
 *   node create-floor.cjs --record ENV MANIFEST
 *   node create-floor.cjs env create TARGET ...   (MLC_FLOOR_MANIFEST=MANIFEST)
 *
 * Run by bench/create-compare.py as a "bundle" beside mlc's.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function record(env, manifest) {
  const entries = [];
  const walk = relative => {
    for (const entry of fs.readdirSync(path.join(env, relative), {
      withFileTypes: true
    })) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      const full = path.join(env, name);
      if (entry.isSymbolicLink()) {
        entries.push(['l', name, fs.readlinkSync(full)]);
      } else if (entry.isDirectory()) {
        entries.push(['d', name]);
        walk(name);
      } else {
        entries.push(['f', name, fs.readFileSync(full, 'utf8')]);
      }
    }
  };
  walk('');
  fs.writeFileSync(manifest, JSON.stringify(entries));
}

function replay(target, manifest) {
  const entries = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  fs.mkdirSync(target);
  for (const [kind, name, content] of entries) {
    const full = `${target}/${name}`;
    if (kind === 'd') {
      fs.mkdirSync(full);
    } else if (kind === 'l') {
      fs.symlinkSync(content, full);
    } else {
      fs.writeFileSync(full, content, { flag: 'wx' });
    }
  }
  fs.writeSync(1, `${JSON.stringify({ entries: entries.length })}\n`);
}

const args = process.argv.slice(2);
if (args[0] === '--record') {
  record(args[1], args[2]);
} else if (args[0] === 'env' && args[1] === 'create') {
  replay(args[2], process.env.MLC_FLOOR_MANIFEST);
} else {
  process.stderr.write('usage: see the head of create-floor.cjs\n');
  process.exitCode = 2;
}
