/**
 * A synthetic image env shaped like the seed's ml-base, on a copy of a real
 * Python prefix: native conda packages (a few hundred libraries in lib/
 * under three names each and a few hundred entries in share/, as wide as a
 * real conda env, since `mlc env create` mirrors each entry as a link;
 * headers, tools, man pages, locales, data, activation hooks), Python
 * packages in site-packages with heavy-tailed sizes and real dist-info
 * RECORDs, and a conda-meta record for every conda-owned package in the
 * shape conda and micromamba write them (`files`, `paths_data` with each
 * file's sha256 and size, `link`, `url`, ...), pretty-printed as they do.
 *
 * Deterministic: one random stream per package, seeded from the run's seed
 * and the package's name, so the tenfold base's first packages are exactly
 * the 1x base's, and a rebuild makes the same tree.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Fill `dir` (a copy of the Python prefix, Python `pyver`) with the
 * packages. `sitePackagesFiles` is the 1x size of site-packages; with
 * `sitePackagesFactor` > 1, pip-installed packages (no conda record) are
 * added until it is that many times larger. `records` is the number of
 * conda-meta records the base ends with (those already there included).
 */
export function fillBase({ dir, pyver, seed, nativePackages, sitePackagesFiles, sitePackagesFactor, records }) {
  const writer = new Private.Writer(dir);
  const existing = readdirSync(path.join(dir, 'conda-meta')).filter(name => name.endsWith('.json')).length;
  const condaPython = Math.max(0, records - existing - nativePackages);
  const sitePackages = `lib/python${pyver}/site-packages`;

  for (let i = 0; i < nativePackages; i++) {
    const pkg = Private.nativePackage(writer, seed, i);
    writer.record(pkg);
  }

  // The 1x packages: sizes drawn per package, then scaled to the wanted total.
  const base = Private.pythonPlan(seed, 'py', Math.max(condaPython + Math.ceil(condaPython / 8), 1), sitePackagesFiles);
  const probe = base[0].name;
  base.forEach((plan, i) => {
    const conda = i < condaPython;
    const pkg = Private.pythonPackage(writer, sitePackages, pyver, plan, conda);
    if (conda) {
      writer.record(pkg);
    }
  });
  if (sitePackagesFactor > 1) {
    // The added packages: pip-installed, no record, no scripts.
    const extra = Private.pythonPlan(seed, 'pyx', Math.ceil(base.length * (sitePackagesFactor - 1)), sitePackagesFiles * (sitePackagesFactor - 1));
    for (const plan of extra) {
      Private.pythonPackage(writer, sitePackages, pyver, { ...plan, scripts: 0, labextension: false }, false);
    }
  }
  writer.history();
  return { probeModule: probe };
}

/** Helpers (the module's trailing `Private` namespace). */
const Private = {
  /** mulberry32: small, fast, good enough to shape a tree. */
  random(seed, name) {
    let state = createHash('sha256').update(`${seed}:${name}`).digest().readUInt32LE(0);
    const next = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    return {
      next,
      int: (low, high) => low + Math.floor(next() * (high - low + 1)),
      chance: p => next() < p,
      text: size => {
        let out = '';
        while (out.length < size) {
          out += Private.WORDS[Math.floor(next() * Private.WORDS.length)] + (next() < 0.12 ? '\n' : ' ');
        }
        return out.slice(0, size) + '\n';
      }
    };
  },

  WORDS: ['alpha', 'beta', 'gamma', 'delta', 'tensor', 'kernel', 'vertex', 'hadron', 'jet', 'muon', 'track', 'cluster', 'energy', 'weight', 'batch', 'layer', 'value', 'index', 'config', 'return', 'import', 'data'],
  SHARE_KINDS: ['data', 'schemas', 'examples', 'completions'],
  LANGS: ['de', 'fr', 'es', 'it', 'ja', 'zh_CN', 'ru', 'pt_BR', 'pl', 'cs', 'nl', 'sv', 'ko', 'uk', 'tr', 'fi', 'da', 'hu', 'ro', 'el'],

  /** Writes files and links under the prefix and remembers them for the package's record. */
  Writer: class {
    constructor(prefix) {
      this.prefix = prefix;
      this.dirs = new Set();
      this.current = [];
      this.historyLines = [];
    }

    begin() {
      this.current = [];
    }

    file(rel, content, mode = 0o644) {
      const full = path.join(this.prefix, rel);
      this.mkdir(path.dirname(full));
      const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
      writeFileSync(full, data, { mode });
      const sha256 = createHash('sha256').update(data).digest('hex');
      this.current.push({ _path: rel, path_type: 'hardlink', sha256, size_in_bytes: data.length });
      return { sha256, size: data.length };
    }

    link(rel, target) {
      const full = path.join(this.prefix, rel);
      this.mkdir(path.dirname(full));
      symlinkSync(target, full);
      this.current.push({ _path: rel, path_type: 'softlink', sha256: createHash('sha256').update(target).digest('hex'), size_in_bytes: target.length });
    }

    mkdir(full) {
      if (!this.dirs.has(full)) {
        mkdirSync(full, { recursive: true });
        this.dirs.add(full);
      }
    }

    /** The conda-meta record of the package just written, as conda lays it out. */
    record({ name, version, build, noarch }) {
      const fn = `${name}-${version}-${build}`;
      const subdir = noarch ? 'noarch' : 'linux-64';
      const digest = createHash('sha256').update(fn).digest('hex');
      const paths = this.current.slice().sort((a, b) => (a._path < b._path ? -1 : 1));
      const record = {
        arch: noarch ? null : 'x86_64',
        build,
        build_number: 0,
        channel: `https://conda.anaconda.org/conda-forge/${subdir}`,
        constrains: [],
        depends: noarch ? ['python >=3.9'] : ['libgcc-ng >=12'],
        extracted_package_dir: `/opt/conda/pkgs/${fn}`,
        files: paths.map(entry => entry._path),
        fn: `${fn}.conda`,
        license: 'BSD-3-Clause',
        link: { source: `/opt/conda/pkgs/${fn}`, type: 1 },
        md5: digest.slice(0, 32),
        name,
        ...(noarch ? { noarch: 'python' } : {}),
        package_tarball_full_path: `/opt/conda/pkgs/${fn}.conda`,
        paths_data: { paths, paths_version: 1 },
        platform: noarch ? null : 'linux',
        requested_spec: '',
        sha256: digest,
        size: paths.reduce((sum, entry) => sum + entry.size_in_bytes, 0),
        subdir,
        timestamp: 1717200000000,
        url: `https://conda.anaconda.org/conda-forge/${subdir}/${fn}.conda`,
        version
      };
      // Records are not files of their package: written without being listed.
      const full = path.join(this.prefix, 'conda-meta', `${fn}.json`);
      writeFileSync(full, JSON.stringify(record, null, 2) + '\n');
      this.historyLines.push(`+conda-forge/${subdir}::${fn}`);
    }

    history() {
      const full = path.join(this.prefix, 'conda-meta', 'history');
      writeFileSync(full, `==> 2024-06-01 00:00:00 <==\n# cmd: micromamba install (synthetic base)\n${this.historyLines.join('\n')}\n`, { flag: 'a' });
    }
  },

  /** A native (compiled) conda package: library, links, headers, tools, data. */
  nativePackage(writer, seed, index) {
    const name = `synlib${String(index).padStart(3, '0')}`;
    const rnd = Private.random(seed, name);
    const major = rnd.int(0, 9);
    const version = `${major}.${rnd.int(0, 30)}.${rnd.int(0, 9)}`;
    writer.begin();
    // A real env's lib/ holds a few hundred libraries (a package often
    // ships several), each under three names: the file and two links.
    const libraries = rnd.int(1, 6);
    for (let l = 0; l < libraries; l++) {
      const stem = l === 0 ? name : `${name}_part${l}`;
      const lib = `lib/lib${stem}.so`;
      writer.file(`${lib}.${version}`, Buffer.from(rnd.text(rnd.int(2000, 8000))), 0o755);
      writer.link(`${lib}.${major}`, `lib${stem}.so.${version}`);
      writer.link(lib, `lib${stem}.so.${major}`);
    }
    if (rnd.chance(0.3)) {
      writer.file(`lib/lib${name}.a`, rnd.text(rnd.int(500, 3000)));
    }
    writer.file(`lib/pkgconfig/${name}.pc`, `prefix=/opt/conda\nName: ${name}\nVersion: ${version}\nLibs: -L\${prefix}/lib -l${name}\n`);
    if (rnd.chance(0.5)) {
      writer.file(`lib/cmake/${name}/${name}Config.cmake`, rnd.text(rnd.int(300, 1500)));
      writer.file(`lib/cmake/${name}/${name}ConfigVersion.cmake`, rnd.text(rnd.int(200, 800)));
    }
    const headers = rnd.int(5, 70);
    for (let h = 0; h < headers; h++) {
      const sub = h > 20 && rnd.chance(0.5) ? `detail${h % 4}/` : '';
      writer.file(`include/${name}/${sub}h${h}.h`, rnd.text(rnd.int(200, 3000)));
    }
    const tools = rnd.int(0, 3);
    for (let t = 0; t < tools; t++) {
      writer.file(`bin/${name}-tool${t}`, rnd.text(rnd.int(1000, 5000)), 0o755);
      writer.file(`share/man/man1/${name}-tool${t}.1`, rnd.text(rnd.int(300, 2000)));
    }
    if (rnd.chance(0.3)) {
      for (const lang of Private.LANGS.slice(0, rnd.int(8, Private.LANGS.length))) {
        writer.file(`share/locale/${lang}/LC_MESSAGES/${name}.mo`, rnd.text(rnd.int(300, 3000)));
      }
    }
    const data = rnd.int(0, 40);
    for (let d = 0; d < data; d++) {
      writer.file(`share/${name}/${d % 3 ? '' : 'extra/'}data${d}.dat`, rnd.text(rnd.int(100, 2000)));
    }
    // ...and a few hundred entries in share/: packages add directories of their own there.
    for (const kind of Private.SHARE_KINDS.slice(0, rnd.int(0, Private.SHARE_KINDS.length))) {
      writer.file(`share/${name}-${kind}/${kind}.txt`, rnd.text(rnd.int(100, 800)));
    }
    writer.file(`share/doc/${name}/README`, rnd.text(rnd.int(200, 1500)));
    writer.file(`share/licenses/${name}/LICENSE`, rnd.text(400));
    if (rnd.chance(0.1)) {
      writer.file(`etc/conda/activate.d/${name}_activate.sh`, `export ${name.toUpperCase()}_HOME="$CONDA_PREFIX"\n`);
      writer.file(`etc/conda/deactivate.d/${name}_deactivate.sh`, `unset ${name.toUpperCase()}_HOME\n`);
    }
    // A few packages carry the usual system-wide data: certificates, terminfo, fonts.
    if (index === 0) {
      writer.file('ssl/cacert.pem', rnd.text(200000));
      writer.link('ssl/cert.pem', 'cacert.pem');
      for (let c = 0; c < 40; c++) {
        writer.file(`ssl/certs/cert${c}.pem`, rnd.text(1200));
      }
    } else if (index === 1) {
      for (let t = 0; t < 600; t++) {
        const first = 'abcdefghijklmnopqrstuvwxyz'[t % 26];
        writer.file(`share/terminfo/${first}/${first}term-${t}`, rnd.text(rnd.int(300, 1800)));
      }
    } else if (index === 2) {
      for (let f = 0; f < 60; f++) {
        writer.file(`etc/fonts/conf.d/${10 + f}-synthetic.conf`, rnd.text(rnd.int(200, 900)));
      }
    }
    return { name, version, build: `h${createHash('sha256').update(name).digest('hex').slice(0, 7)}_0`, noarch: false };
  },

  /** Names and sizes (files) of `count` Python packages adding up to about `total` files. */
  pythonPlan(seed, stem, count, total) {
    const plans = [];
    for (let i = 0; i < count; i++) {
      const name = `${stem}pkg${String(i).padStart(4, '0')}`;
      const rnd = Private.random(seed, name);
      // Pareto (alpha 1.1): most packages are small, a few hold thousands of files.
      const weight = 1 / Math.pow(1 - rnd.next() * 0.999, 1 / 1.1);
      plans.push({ name, seed, weight, scripts: rnd.chance(0.15) ? rnd.int(1, 3) : 0, labextension: rnd.chance(0.03) });
    }
    const sum = plans.reduce((acc, plan) => acc + plan.weight, 0);
    return plans.map(plan => ({ ...plan, files: Math.max(6, Math.round((plan.weight / sum) * total)) }));
  },

  /** A Python package: modules with their .pyc, some stubs, data and extensions, a dist-info. */
  pythonPackage(writer, sitePackages, pyver, plan, conda) {
    const rnd = Private.random(plan.seed, `${plan.name}:files`);
    const version = `${rnd.int(0, 5)}.${rnd.int(0, 40)}.${rnd.int(0, 12)}`;
    const tag = `cpython-${pyver.replace('.', '')}`;
    writer.begin();
    const recordLines = [];
    const put = (rel, content, mode) => {
      const { sha256, size } = writer.file(`${sitePackages}/${rel}`, content, mode);
      recordLines.push(`${rel},sha256=${Buffer.from(sha256, 'hex').toString('base64url')},${size}`);
    };
    // Files of the package itself, leaving room for the dist-info (5-6 files).
    let left = Math.max(1, plan.files - 6);
    let dirIndex = 0;
    const dirs = [plan.name];
    while (left > 0) {
      const dir = dirs[dirIndex % dirs.length];
      const modules = Math.min(Math.ceil(left / 2), rnd.int(4, 14));
      for (let m = 0; m < modules && left > 0; m++) {
        const module = m === 0 ? '__init__' : `mod${m}`;
        put(`${dir}/${module}.py`, `# ${dir.replaceAll('/', '.')}.${module}\nVALUE = ${m}\n"""${rnd.text(rnd.int(200, 4000))}"""\n`);
        left--;
        if (left > 0) {
          put(`${dir}/__pycache__/${module}.${tag}.pyc`, Buffer.from(rnd.text(rnd.int(300, 3000))));
          left--;
        }
        if (left > 0 && rnd.chance(0.06)) {
          put(`${dir}/${module}.pyi`, 'VALUE: int\n');
          left--;
        }
      }
      if (left > 0 && rnd.chance(0.05)) {
        put(`${dir}/_ext${dirIndex}.${tag}-x86_64-linux-gnu.so`, Buffer.from(rnd.text(rnd.int(3000, 20000))), 0o755);
        left--;
      }
      if (left > 0 && rnd.chance(0.1)) {
        put(`${dir}/data/table${dirIndex}.json`, `{"rows": ${rnd.int(1, 99)}}\n`);
        left--;
      }
      dirIndex++;
      if (left > 0 && dirs.length < 400) {
        const parent = dirs[rnd.int(0, dirs.length - 1)];
        dirs.push(parent.split('/').length < 4 ? `${parent}/sub${dirs.length}` : `${plan.name}/sub${dirs.length}`);
      }
    }
    const distInfo = `${plan.name}-${version}.dist-info`;
    put(`${distInfo}/METADATA`, `Metadata-Version: 2.1\nName: ${plan.name}\nVersion: ${version}\nSummary: synthetic package\n\n${rnd.text(rnd.int(200, 3000))}`);
    put(`${distInfo}/WHEEL`, 'Wheel-Version: 1.0\nGenerator: synthetic\nRoot-Is-Purelib: true\nTag: py3-none-any\n');
    put(`${distInfo}/INSTALLER`, conda ? 'conda\n' : 'pip\n');
    put(`${distInfo}/top_level.txt`, `${plan.name}\n`);
    if (plan.scripts) {
      put(`${distInfo}/entry_points.txt`, `[console_scripts]\n${Array.from({ length: plan.scripts }, (_, s) => `${plan.name}-cli${s} = ${plan.name}:VALUE\n`).join('')}`);
    }
    const record = `${recordLines.join('\n')}\n${distInfo}/RECORD,,\n`;
    writer.file(`${sitePackages}/${distInfo}/RECORD`, record);
    for (let s = 0; s < plan.scripts; s++) {
      writer.file(`bin/${plan.name}-cli${s}`, `#!/opt/conda/bin/python${pyver}\nimport sys\nfrom ${plan.name} import VALUE\nsys.exit(VALUE)\n`, 0o755);
    }
    if (plan.labextension) {
      const ext = `share/jupyter/labextensions/${plan.name}`;
      writer.file(`${ext}/package.json`, `{"name": "${plan.name}", "version": "${version}"}\n`);
      for (let j = 0; j < rnd.int(5, 12); j++) {
        writer.file(`${ext}/static/${j}.${rnd.int(1000, 9999)}.js`, rnd.text(rnd.int(1000, 20000)));
      }
    }
    return { name: plan.name, version, build: 'pyhd8ed1ab_0', noarch: true };
  }
};
