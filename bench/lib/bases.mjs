/**
 * The benchmark's inputs, built once and kept under build/bench/: a real
 * Python prefix (scripts/make-python-prefix.sh) and synthetic bases on top
 * of it (synthetic-base.mjs). Each has `<name>.stamp.json` beside it naming
 * what made it; a changed generator, seed, size or prefix script rebuilds it.
 * A build happens in `<name>.tmp` and is renamed at the end, so an
 * interrupted one is never taken for a base.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './processes.mjs';
import { fillBase } from './synthetic-base.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * The Python prefix `name` under `workDir`, with the pip `packages` (space
 * separated; '' for a bare Python). Returns `{ dir, pyver, stamp }`.
 */
export function ensurePythonPrefix({ repo, workDir, name, packages, log }) {
  const script = path.join(repo, 'scripts', 'make-python-prefix.sh');
  const stamp = { kind: 'python-prefix', script: Private.digest([script]), packages };
  const dir = path.join(workDir, name);
  let facts = Private.readStamp(dir, stamp);
  if (!facts) {
    log(`building the Python prefix ${name} (scripts/make-python-prefix.sh)...`);
    Private.removeOurs(dir);
    run('bash', [script, dir, '--packages', packages, '--force'], { what: 'make-python-prefix.sh' });
    const pyver = readdirSync(path.join(dir, 'lib')).find(entry => /^python3\.\d+$/.test(entry))?.slice('python'.length);
    if (!pyver) {
      throw new Error(`${dir} has no lib/python3.X after make-python-prefix.sh`);
    }
    facts = { pyver };
    Private.writeStamp(dir, stamp, facts);
  }
  return { dir, pyver: facts.pyver, stamp: Private.stampDigest(stamp) };
}

/**
 * The synthetic base `name` under `workDir`: a copy of `python`'s prefix
 * filled by fillBase(). Returns `{ name, dir, pyver, probeModule, files,
 * dirs, links, records, recordBytes }` (counted when it was built).
 */
export function ensureBase({ workDir, name, python, seed, nativePackages, sitePackagesFiles, sitePackagesFactor, records = 350, log }) {
  const stamp = {
    kind: 'synthetic-base',
    generator: Private.digest([path.join(HERE, 'synthetic-base.mjs'), fileURLToPath(import.meta.url)]),
    python: python.stamp,
    seed,
    nativePackages,
    sitePackagesFiles,
    sitePackagesFactor,
    records
  };
  const dir = path.join(workDir, name);
  let facts = Private.readStamp(dir, stamp);
  if (!facts) {
    log(`generating the synthetic base ${name} (site-packages x${sitePackagesFactor})...`);
    Private.removeOurs(dir);
    const temp = `${dir}.tmp`;
    Private.removeOurs(temp, true);
    run('cp', ['-a', '--', python.dir, temp], { what: `cp -a ${python.dir}` });
    const { probeModule } = fillBase({ dir: temp, pyver: python.pyver, seed, nativePackages, sitePackagesFiles, sitePackagesFactor, records });
    renameSync(temp, dir);
    facts = { probeModule, ...Private.count(dir) };
    Private.writeStamp(dir, stamp, facts);
    log(`  ${facts.files} files, ${facts.links} links, ${facts.dirs} dirs; ${facts.records} conda-meta records, ${(facts.recordBytes / 1e6).toFixed(1)} MB`);
  }
  return { name, dir, pyver: python.pyver, ...facts };
}

/** Helpers (the module's trailing `Private` namespace). */
const Private = {
  digest(files) {
    const hash = createHash('sha256');
    for (const file of files) {
      hash.update(readFileSync(file));
    }
    return hash.digest('hex').slice(0, 16);
  },

  stampDigest(stamp) {
    return createHash('sha256').update(JSON.stringify(stamp)).digest('hex').slice(0, 16);
  },

  /** The facts recorded beside `dir` when it was made as `stamp` says, else null. */
  readStamp(dir, stamp) {
    try {
      const saved = JSON.parse(readFileSync(`${dir}.stamp.json`, 'utf-8'));
      if (Private.stampDigest(saved.stamp) === Private.stampDigest(stamp) && statSync(dir).isDirectory()) {
        return saved.facts;
      }
    } catch {
      // missing or unreadable: rebuild
    }
    return null;
  },

  writeStamp(dir, stamp, facts) {
    writeFileSync(`${dir}.stamp.json`, JSON.stringify({ stamp, facts }, null, 2) + '\n');
  },

  /**
   * Remove an earlier build of ours: only a directory with our stamp beside
   * it (or, with `temp`, our own half-made `.tmp`), never through a link.
   */
  removeOurs(dir, temp = false) {
    const stat = lstatSync(dir, { throwIfNoEntry: false });
    if (!stat) {
      return;
    }
    if (!stat.isDirectory() || (!temp && !existsSync(`${dir}.stamp.json`))) {
      throw new Error(`${dir} exists but was not made by this benchmark; move it away`);
    }
    rmSync(`${dir}.stamp.json`, { force: true });
    rmSync(dir, { recursive: true, force: true });
  },

  /** Files, links and dirs of a tree (links not followed), and its conda-meta records. */
  count(root) {
    const counts = { files: 0, links: 0, dirs: 0 };
    const walk = dir => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) {
          counts.dirs++;
          walk(path.join(dir, entry.name));
        } else if (entry.isSymbolicLink()) {
          counts.links++;
        } else {
          counts.files++;
        }
      }
    };
    walk(root);
    const meta = path.join(root, 'conda-meta');
    const records = readdirSync(meta).filter(file => file.endsWith('.json'));
    const recordBytes = records.reduce((sum, file) => sum + statSync(path.join(meta, file)).size, 0);
    return { ...counts, records: records.length, recordBytes };
  }
};
