/**
 * The seed's image-build half of "Fast Way of Env Extension", re-enacted
 * (our own code; the steps are the seed's): a tree of symlinks made in
 * advance and packed with `tar -czf`, unpacked by bench/seed/create-env.sh
 * at every env creation.
 *
 * What its archive holds: `conda-meta`, `bin`, `sbin` and every directory
 * under `etc`, `ssl`, `share/jupyter`, `x86_64-conda-linux-gnu` and `lib`
 * (site-packages excepted) re-made as real directories holding one link per
 * entry through `baseEnv_dir` (`bin/python3 -> ../baseEnv_dir/bin/python3`);
 * conda-meta's records are links too; `conda-meta/history` and the
 * `lib/pythonX.Y/site-packages` entry are left out (the env makes its own
 * history; pyvenv.cfg reaches site-packages).
 *
 * The every-file variant is the seed's earlier method: every directory of
 * the base re-made and every file linked, site-packages included.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './processes.mjs';

const BASE_LINK = 'baseEnv_dir';
/** The top-level parts the seed links (the rest of the base is reached otherwise or not at all). */
const LINKED_TOPS = ['conda-meta', 'bin', 'sbin', 'etc', 'ssl', 'share/jupyter', 'x86_64-conda-linux-gnu', 'lib'];

/** `{ archive, setupScript, links, dirs }` for `base`, made when missing or stale. */
export function ensureSeedArchive({ workDir, base, everyFile, log }) {
  const name = `seed-${base.name}${everyFile ? '-every-file' : ''}`;
  const archive = path.join(workDir, `${name}.tar.gz`);
  const stampFile = `${archive}.stamp.json`;
  const setupScript = Private.ensureSetupScript(workDir);
  const stamp = JSON.stringify({
    generator: createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex').slice(0, 16),
    base: readFileSync(`${base.dir}.stamp.json`, 'utf-8'),
    everyFile
  });
  if (existsSync(archive) && existsSync(stampFile)) {
    const saved = JSON.parse(readFileSync(stampFile, 'utf-8'));
    if (saved.stamp === stamp) {
      return { archive, setupScript, ...saved.counts };
    }
  }
  log(`making the seed's archive ${path.basename(archive)}...`);
  const stage = path.join(workDir, `${name}.stage`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage);
  const counts = { links: 0, dirs: 0 };
  const tops = everyFile ? [''] : LINKED_TOPS;
  for (const top of tops) {
    Private.mirror(base.dir, stage, top, everyFile, counts);
  }
  const temp = `${archive}.tmp`;
  run('tar', ['-czf', temp, '-C', stage, '.'], { what: 'tar -czf (seed archive)' });
  renameSync(temp, archive);
  writeFileSync(stampFile, JSON.stringify({ stamp, counts }) + '\n');
  rmSync(stage, { recursive: true, force: true });
  log(`  ${counts.dirs} dirs, ${counts.links} links`);
  return { archive, setupScript, ...counts };
}

/** Helpers (the module's trailing `Private` namespace). */
const Private = {
  /** Re-make base directory `rel` in `stage` (its parents too), linking its entries. */
  mirror(baseDir, stage, rel, everyFile, counts) {
    const source = rel ? path.join(baseDir, rel) : baseDir;
    const stat = lstatSync(source, { throwIfNoEntry: false });
    if (!stat?.isDirectory()) {
      return;
    }
    const depth = rel ? rel.split('/').length : 0;
    const up = `${'../'.repeat(depth)}${BASE_LINK}/${rel ? `${rel}/` : ''}`;
    const into = rel ? path.join(stage, rel) : stage;
    if (!existsSync(into)) {
      mkdirSync(into, { recursive: true });
      counts.dirs++;
    }
    for (const entry of readdirSync(source, { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (child === 'conda-meta/history' || /^lib\/python3\.\d+\/site-packages$/.test(child) && !everyFile) {
        continue;
      }
      if (everyFile && ['pkgs', 'envs', BASE_LINK].includes(child)) {
        continue;
      }
      if (entry.isDirectory()) {
        Private.mirror(baseDir, stage, child, everyFile, counts);
      } else {
        symlinkSync(up + entry.name, path.join(into, entry.name));
        counts.links++;
      }
    }
  },

  /**
   * The re-entry script the seed copies into every env: a stand-in of the
   * same kind and size (the seed's setupMe-on-host.sh is not in this repo).
   */
  ensureSetupScript(workDir) {
    const file = path.join(workDir, 'setupMe-on-host.sh');
    if (!existsSync(file)) {
      const lines = ['#!/bin/bash', '# Re-enter this extended env on the host (benchmark stand-in of the seed script).'];
      for (let i = 0; i < 60; i++) {
        lines.push(`[ -n "$MLC_STEP_${i}" ] && echo "step ${i}: setting up the env's PATH and CONDA_PREFIX"`);
      }
      writeFileSync(file, lines.join('\n') + '\n', { mode: 0o755 });
    }
    return file;
  }
};
