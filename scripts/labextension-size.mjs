#!/usr/bin/env node
// Print the gzipped size of the built labextension's own JavaScript and
// compare it with the goal (50 KB). Counted: remoteEntry, the chunks of the
// exposed modules (./extension, ./style) with whatever they bundle, style.js.
// Not counted: chunks that only hold fallback copies of packages JupyterLab
// itself provides (@jupyterlab/*, @lumino/*, react, ...: the page uses
// JupyterLab's copy and never loads ours). Which chunk is which is read from
// the build's own module-federation tables in remoteEntry.
//
//   node scripts/labextension-size.mjs [--goal-kb 50]
//
// Exit status: 0 within the goal, 1 over it, 2 when there is no build.
import { readdirSync, readFileSync } from 'fs';
import { createRequire } from 'module';
import { join } from 'path';
import { gzipSync } from 'zlib';

const REPO = new URL('..', import.meta.url).pathname;
const STATIC = join(REPO, 'jupyterlab_ml_containers', 'labextension', 'static');
const OWN_NAME = JSON.parse(
  readFileSync(join(REPO, 'package.json'), 'utf-8')
).name;
// jupyter_server (tornado) compresses at level 6.
const GZIP_LEVEL = 6;

const goalArg = process.argv.indexOf('--goal-kb');
const goalKb = goalArg > 0 ? Number(process.argv[goalArg + 1]) : 50;
if (!Number.isFinite(goalKb) || goalKb <= 0) {
  console.error(
    'labextension-size: error: --goal-kb needs a positive number, e.g. --goal-kb 50'
  );
  process.exit(2);
}

let files;
try {
  files = readdirSync(STATIC).filter(name => name.endsWith('.js'));
} catch {
  files = [];
}
const remoteEntry = files.find(name => name.startsWith('remoteEntry.'));
if (!remoteEntry) {
  console.error(
    `labextension-size: error: no build in ${STATIC}; run npm run build:lib && npm run build:labextension`
  );
  process.exit(2);
}
const entryText = readFileSync(join(STATIC, remoteEntry), 'utf-8');

// Chunk id -> file; rspack/webpack name chunks `<id>.<hash>.js`.
const chunkFile = new Map();
for (const name of files) {
  const match = /^([^.]+)\.[0-9a-f]+\.js$/.exec(name);
  if (match && name !== remoteEntry) {
    chunkFile.set(match[1], name);
  }
}

/** Chunk ids a factory loads: `X.e(123)` calls in its text. */
function chunkIds(text) {
  return [...text.matchAll(/\.e\(("?)([\w-]+)\1\)/g)].map(match => match[2]);
}

// Exposed modules: "./index", "./extension", "./style" -> their chunks.
const exposes = new Map();
for (const match of entryText.matchAll(/"(\.\/[\w-]+)":\(\)=>(.*?)\.then\(/g)) {
  exposes.set(match[1], chunkIds(match[2]));
}

// Shared modules this build provides: name -> the chunks of its fallback copy.
const provided = new Map();
for (const match of entryText.matchAll(
  /\{name:"([^"]+)",version:"[^"]*",factory:\(\)=>(.*?),eager:/g
)) {
  provided.set(match[1], chunkIds(match[2]));
}

/** Packages JupyterLab provides to extensions (what the builder marks as not bundled). */
function jupyterlabProvides(name) {
  if (
    /^@(jupyterlab|lumino|jupyter)\//.test(name) ||
    name === 'react' ||
    name === 'react-dom'
  ) {
    return true;
  }
  try {
    const require = createRequire(join(REPO, 'package.json'));
    const core = require('@jupyterlab/core-meta/package.json');
    return (
      name in (core.dependencies ?? {}) ||
      (core.jupyterlab?.singletonPackages ?? []).includes(name)
    );
  } catch {
    return false;
  }
}

const role = new Map();
for (const [expose, ids] of exposes) {
  for (const id of ids) {
    role.set(id, role.has(id) ? `${role.get(id)}, ${expose}` : expose);
  }
}
const coreFallback = new Set();
for (const [name, ids] of provided) {
  for (const id of ids) {
    if (name !== OWN_NAME && jupyterlabProvides(name) && !role.has(id)) {
      coreFallback.add(id);
      role.set(id, `fallback copy of ${name}`);
    }
  }
}

const rows = [];
for (const name of files.sort()) {
  const bytes = readFileSync(join(STATIC, name));
  const id = name === remoteEntry ? null : /^([^.]+)\./.exec(name)?.[1];
  let what;
  if (name === remoteEntry) {
    what = 'remoteEntry (federation runtime)';
  } else if (name === 'style.js') {
    what = 'style entry';
  } else {
    what = role.get(id) ?? 'lazy chunk';
  }
  const counted = !(id && coreFallback.has(id));
  rows.push({
    name,
    what,
    raw: bytes.length,
    gz: gzipSync(bytes, { level: GZIP_LEVEL }).length,
    counted
  });
}

let bundled = [];
try {
  const licenses = JSON.parse(
    readFileSync(join(STATIC, 'third-party-licenses.json'), 'utf-8')
  );
  bundled = licenses.packages.map(pkg => pkg.name);
} catch {
  // Older builders write no license file: nothing to list.
}

const kb = bytes => (bytes / 1024).toFixed(1).padStart(6);
const width = Math.max(...rows.map(row => row.name.length));
console.log(
  `Built labextension JavaScript in ${STATIC} (gzip -${GZIP_LEVEL}):`
);
for (const row of rows) {
  console.log(
    `  ${row.counted ? ' ' : '-'} ${row.name.padEnd(width)}  ${kb(row.raw)} KB raw  ${kb(row.gz)} KB gz  ${row.what}`
  );
}
const total = rows
  .filter(row => row.counted)
  .reduce((sum, row) => sum + row.gz, 0);
const excluded = rows.filter(row => !row.counted);
if (excluded.length) {
  console.log(
    '  (- = a copy of a package JupyterLab provides: not loaded, not counted)'
  );
}
if (bundled.length) {
  console.log(`Third-party code bundled in: ${bundled.join(', ')}`);
}
const within = total <= goalKb * 1024;
console.log(
  `Own JavaScript: ${(total / 1024).toFixed(1)} KB gzipped; goal <= ${goalKb} KB: ${within ? 'met' : 'NOT met'}`
);
process.exit(within ? 0 : 1);
