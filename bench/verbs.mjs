#!/usr/bin/env node
/**
 * The hot verbs of mlc against Node's own start and the tools they stand
 * beside, by wall time and by CPU time (user + sys of the whole command,
 * from wait4: on a loaded machine it spreads far less than the wall time):
 *
 *   node -e 0                  the runtime's start alone
 *   mlc --version
 *   mlc env list               with --envs envs (default 50), each with its kernel
 *   mlc info IMAGE             on a loopback registry (docker-registry), against
 *   skopeo inspect             the same image (both only when installed)
 *   mlc enter -- true          in a work directory set up with real podman (a running
 *   podman exec ... true       container of a tiny image), against that exec run
 *                              directly: the difference is mlc's share
 *
 * Beside info and enter, their floors on Node (bench/lib/info-floor.cjs,
 * bench/lib/enter-floor.cjs: the same requests or the same spawn and nothing
 * else), judged by the same targets: a target the floor misses is below
 * what any Node program can reach.
 *
 * mlc runs through its launcher as pip lays it out, with a warm compile cache.
 * `--compare FILE` times a second bundle (e.g. an older build) in the same
 * rounds, so both tables come from one run. Medians and minima of --runs
 * round-robin rounds after one warm-up round.
 *
 * `--only` times some of them (a comma list of version, list, info, enter).
 *
 *   node bench/verbs.mjs [--runs N] [--node PATH] [--envs N] [--compare FILE] [--only LIST]
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensurePythonPrefix } from './lib/bases.mjs';
import { installMlc, wheelNode } from './lib/launcher.mjs';
import { median } from './lib/measure.mjs';
import { run } from './lib/processes.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK_DIR = path.join(REPO, 'build', 'bench', 'verbs');
const BUNDLE = path.join(REPO, 'jupyterlab_ml_containers', 'mlc', 'mlc.cjs');
const USAGE =
  'usage: node bench/verbs.mjs [--runs N] [--node PATH] [--envs N] [--compare FILE] [--only version,list,info,enter]';
const VERBS = ['version', 'list', 'info', 'enter'];

async function main() {
  const options = Private.parseOptions();
  const log = line => process.stderr.write(`${line}\n`);
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  if (
    !existsSync(BUNDLE) ||
    statSync(BUNDLE).mtimeMs < Private.newestMtime(path.join(REPO, 'src'))
  ) {
    log('building the mlc bundle (npm run build:cli)...');
    run('npm', ['run', '--silent', 'build:cli'], { cwd: REPO });
  }
  const bundles = [
    { label: 'mlc', file: BUNDLE },
    ...(options.compare
      ? [{ label: 'mlc (compared)', file: options.compare }]
      : [])
  ].map((bundle, i) => ({ ...bundle, ...Private.install(bundle.file, i) }));
  const env = Private.childEnv(options.node);

  const python = ensurePythonPrefix({
    repo: REPO,
    workDir: path.join(REPO, 'build', 'bench'),
    name: 'python-prefix-bare',
    packages: '',
    log
  });
  const timed = verb => options.only.includes(verb);
  const envsDir = path.join(WORK_DIR, 'envs');
  mkdirSync(envsDir);
  if (timed('list')) {
    log(`making ${options.envs} envs for env list...`);
  }
  for (let i = 0; timed('list') && i < options.envs; i++) {
    run(
      bundles[0].launcher,
      [
        'env',
        'create',
        path.join(envsDir, `env${i}`),
        '--base',
        python.dir,
        '--json'
      ],
      {
        what: 'mlc env create',
        env
      }
    );
  }

  const registry = timed('info') ? await Private.startRegistry(log) : null;
  let enterDir = null;
  try {
    enterDir = timed('enter') ? Private.enterWorkDir(log) : null;
    const node = { label: 'node -e 0', argv: [options.node, '-e', '0'], env };
    const cases = [node];
    const pairs = [];
    for (const bundle of bundles) {
      const mlc = (label, args, extra = {}) => ({
        label: `${bundle.label} ${label}`,
        argv: [bundle.launcher, ...args],
        env: { ...env, ...(extra.env ?? {}) },
        ...(extra.cwd ? { cwd: extra.cwd } : {})
      });
      if (timed('version')) {
        const version = mlc('--version', ['--version']);
        cases.push(version);
        pairs.push({
          what: `${bundle.label} --version`,
          of: version,
          against: node,
          within: 10
        });
      }
      if (timed('list')) {
        const list = mlc('env list', ['env', 'list']);
        cases.push(list);
        pairs.push({
          what: `${bundle.label} env list (${options.envs} envs)`,
          of: list,
          against: node,
          within: 25
        });
      }
      if (registry) {
        const info = mlc('info', [
          'info',
          'tiny:v1',
          '--catalogue',
          registry.catalogue
        ]);
        cases.push(info);
        pairs.push({
          what: `${bundle.label} info`,
          of: info,
          against: registry.skopeo,
          ratio: 1.0
        });
      }
      if (enterDir) {
        const enter = mlc('enter -- true', ['enter', '--', 'true'], {
          cwd: enterDir.dir,
          env: enterDir.env
        });
        cases.push(enter);
        pairs.push({
          what: `${bundle.label} enter -- true`,
          of: enter,
          against: enterDir.exec,
          within: 30
        });
      }
    }
    if (registry) {
      const floor = Private.floor('info', registry.floorArgs, env);
      cases.push(registry.skopeo, floor);
      pairs.push({
        what: 'floor of info (Node: two GETs, one line)',
        of: floor,
        against: registry.skopeo,
        ratio: 1.0
      });
    }
    if (enterDir) {
      const floor = Private.floor('enter', enterDir.exec.argv, env);
      cases.push(enterDir.exec, floor);
      pairs.push({
        what: 'floor of enter (Node: the spawn alone)',
        of: floor,
        against: enterDir.exec,
        within: 30
      });
    }

    log(
      `timing ${cases.length} commands, ${options.runs} rounds + 1 warm-up...`
    );
    const times = Private.time(cases, options.runs);
    const stats = new Map(
      cases.map((item, i) => {
        const ok = times[i].every(t => t.status === 0);
        if (!ok) {
          throw new Error(
            `${item.label} failed: exit ${times[i].find(t => t.status !== 0).status}`
          );
        }
        const wall = times[i].map(t => t.wallMs);
        const cpu = times[i].map(t => t.cpuMs);
        return [
          item,
          {
            wall: median(wall),
            wallMin: Math.min(...wall),
            cpu: median(cpu),
            cpuMin: Math.min(...cpu)
          }
        ];
      })
    );
    const nodeVersion = run(options.node, ['--version']).trim();
    const load = os
      .loadavg()
      .map(value => value.toFixed(1))
      .join(', ');
    const lines = [
      `mlc's verbs (${options.node}, ${nodeVersion}; ${options.runs} rounds; ${new Date().toISOString()}; load average ${load} on ${os.cpus().length} CPUs)`,
      ...bundles.map(bundle => `${bundle.label}: ${bundle.identity}`),
      '',
      '| command | wall median | wall min | CPU median | CPU min |',
      '|---|---|---|---|---|',
      ...cases.map(item => {
        const s = stats.get(item);
        return `| ${item.label} | ${s.wall.toFixed(1)} ms | ${s.wallMin.toFixed(1)} ms | ${s.cpu.toFixed(1)} ms | ${s.cpuMin.toFixed(1)} ms |`;
      }),
      '',
      '| target | wall (median, min) | CPU (median, min) | met (median wall / CPU) |',
      '|---|---|---|---|',
      ...pairs.map(pair =>
        Private.verdict(pair, stats.get(pair.of), stats.get(pair.against))
      )
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    enterDir?.stop();
    await registry?.stop();
  }
}

/** Helpers (the module's trailing `Private` namespace). */
const Private = {
  parseOptions() {
    let values;
    try {
      values = parseArgs({
        options: {
          runs: { type: 'string', default: '21' },
          envs: { type: 'string', default: '50' },
          node: { type: 'string' },
          compare: { type: 'string' },
          only: { type: 'string', default: VERBS.join(',') },
          help: { type: 'boolean', short: 'h', default: false }
        }
      }).values;
    } catch (error) {
      throw new Error(`${error.message.split('\n')[0]} (${USAGE})`);
    }
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const whole = (name, low) => {
      const value = Number(values[name]);
      if (!/^\d+$/.test(values[name]) || value < low || value > 1000) {
        throw new Error(
          `--${name} must be a whole number from ${low} to 1000, got '${values[name]}'`
        );
      }
      return value;
    };
    const file = (name, given) => {
      const resolved = path.resolve(given);
      if (!existsSync(resolved) || !statSync(resolved).isFile()) {
        throw new Error(`--${name} '${given}' is not a file`);
      }
      return resolved;
    };
    return {
      runs: whole('runs', 1),
      envs: whole('envs', 0),
      node: values.node
        ? file('node', values.node)
        : (wheelNode() ?? process.execPath),
      compare: values.compare ? file('compare', values.compare) : null,
      only: Private.verbList(values.only)
    };
  },

  verbList(text) {
    const verbs = text.split(',').filter(Boolean);
    const unknown = verbs.filter(verb => !VERBS.includes(verb));
    if (verbs.length === 0 || unknown.length > 0) {
      throw new Error(
        `--only takes a comma list of ${VERBS.join(', ')}, got '${text}'`
      );
    }
    return verbs;
  },

  newestMtime(dir) {
    let newest = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      newest = Math.max(
        newest,
        entry.isDirectory() ? Private.newestMtime(full) : statSync(full).mtimeMs
      );
    }
    return newest;
  },

  /** bin/mlc and a copy of the bundle where pip puts them (a copy: others rebuild the real one). */
  install(bundle, index) {
    const launcher = installMlc(
      bundle,
      path.join(WORK_DIR, `install-${index}`)
    );
    const text = readFileSync(bundle);
    const digest = createHash('sha256').update(text).digest('hex').slice(0, 12);
    return {
      launcher,
      identity: `${path.relative(REPO, bundle)}, ${(text.length / 1024).toFixed(0)} KiB, built ${statSync(bundle).mtime.toISOString()}, sha256 ${digest}...`
    };
  },

  /** This environment, with HOME, the caches and Jupyter kept in the work dir; the launcher runs `node`. */
  childEnv(node) {
    const home = path.join(WORK_DIR, 'home');
    mkdirSync(home, { recursive: true });
    const env = {
      ...process.env,
      HOME: home,
      XDG_CACHE_HOME: path.join(home, 'cache'),
      JUPYTER_DATA_DIR: path.join(home, 'jupyter-data'),
      JUPYTER_CONFIG_DIR: path.join(home, 'jupyter-config'),
      MLC_NODE: node
    };
    for (const name of [
      'NODE_OPTIONS',
      'NODE_COMPILE_CACHE',
      'MLC_INSTALL_PREFIX',
      'MLC_CATALOGUE',
      'CONDA_PREFIX',
      'VIRTUAL_ENV'
    ]) {
      delete env[name];
    }
    return env;
  },

  /**
   * A loopback registry holding one small OCI image (made by hand, copied
   * in by skopeo), a catalogue naming it, and the skopeo case; null when
   * docker-registry or skopeo is not installed.
   */
  async startRegistry(log) {
    const has = name =>
      spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
    if (!has('docker-registry') || !has('skopeo')) {
      log('no docker-registry or skopeo: mlc info is not timed');
      return null;
    }
    const dir = path.join(WORK_DIR, 'registry');
    mkdirSync(path.join(dir, 'storage'), { recursive: true });
    const port = await Private.freePort();
    const host = `127.0.0.1:${port}`;
    const config = path.join(dir, 'config.yml');
    writeFileSync(
      config,
      `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/storage\nhttp:\n  addr: ${host}\n`
    );
    const { spawn } = await import('node:child_process');
    const child = spawn('docker-registry', ['serve', config], {
      stdio: 'ignore'
    });
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise(resolve => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([
          exited,
          new Promise(resolve => setTimeout(resolve, 5000))
        ]);
      }
    };
    try {
      // Bounded wait for /v2/ to answer.
      for (
        let i = 0;
        (await Private.status(`http://${host}/v2/`)) !== 200;
        i++
      ) {
        if (i >= 100) {
          throw new Error(`docker-registry did not answer on ${host}`);
        }
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      const layout = Private.ociLayout(path.join(dir, 'layout'));
      run(
        'skopeo',
        [
          'copy',
          '--quiet',
          '--dest-tls-verify=false',
          `oci:${layout}:v1`,
          `docker://${host}/bench/tiny:v1`
        ],
        { what: 'skopeo copy' }
      );
      const catalogue = path.join(dir, 'catalogue.json');
      writeFileSync(
        catalogue,
        JSON.stringify({
          schemaVersion: 1,
          images: [
            {
              name: 'tiny',
              tag: 'v1',
              reference: `${host}/bench/tiny:v1`,
              flavour: 'cpu',
              python: '3.11'
            }
          ]
        })
      );
      const skopeo = {
        label: 'skopeo inspect',
        argv: [
          Private.which('skopeo'),
          'inspect',
          '--tls-verify=false',
          `docker://${host}/bench/tiny:v1`
        ],
        env: Private.childEnv(process.execPath)
      };
      return {
        catalogue,
        skopeo,
        floorArgs: [host, 'bench/tiny', 'v1'],
        stop
      };
    } catch (error) {
      await stop();
      throw error;
    }
  },

  /** The HTTP status of GET `url`, 0 when nothing answers (within 2 s). */
  async status(url) {
    const http = await import('node:http');
    return new Promise(resolve => {
      const request = http.get(url, { timeout: 2000 }, response => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve(0));
    });
  },

  freePort() {
    return import('node:net').then(
      net =>
        new Promise((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
          });
        })
    );
  },

  /** An OCI image layout with one tiny layer and labels, as a build tool writes it. */
  ociLayout(dir) {
    const blobs = path.join(dir, 'blobs', 'sha256');
    mkdirSync(blobs, { recursive: true });
    const put = data => {
      const digest = createHash('sha256').update(data).digest('hex');
      writeFileSync(path.join(blobs, digest), data);
      return { digest: `sha256:${digest}`, size: data.length };
    };
    const tarDir = path.join(dir, 'rootfs');
    mkdirSync(path.join(tarDir, 'etc'), { recursive: true });
    writeFileSync(path.join(tarDir, 'etc', 'bench'), 'tiny\n');
    const layerFile = path.join(dir, 'layer.tar.gz');
    run('tar', ['-czf', layerFile, '-C', tarDir, 'etc']);
    const layer = put(readFileSync(layerFile));
    const diffId = createHash('sha256')
      .update(spawnSync('gzip', ['-dc', layerFile]).stdout)
      .digest('hex');
    const config = put(
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          created: '2026-01-01T00:00:00Z',
          config: { Labels: { 'org.opencontainers.image.version': '1.0' } },
          rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] }
        })
      )
    );
    const manifest = put(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            ...config
          },
          layers: [
            {
              mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
              ...layer
            }
          ]
        })
      )
    );
    writeFileSync(
      path.join(dir, 'oci-layout'),
      '{"imageLayoutVersion":"1.0.0"}'
    );
    writeFileSync(
      path.join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            ...manifest,
            annotations: { 'org.opencontainers.image.ref.name': 'v1' }
          }
        ]
      })
    );
    return dir;
  },

  /**
   * A work directory set up with real podman as `mlc setup` leaves it: a
   * running container of a tiny image (the host's `true` and `sleep` with
   * their libraries, imported once) carrying mlc's labels, and its state
   * file. `mlc enter -- true` there is compared with `podman exec -i -w DIR
   * ID true` run directly: the difference is mlc's share (its start, the
   * ownership proof, the spawn). Null when podman is not installed.
   */
  enterWorkDir(log) {
    if (!Private.which('podman')) {
      log('no podman: mlc enter is not timed');
      return null;
    }
    const global = ['--runtime', 'runc'];
    const podman = (args, what) =>
      run('podman', [...global, ...args], { what: `podman ${what}` }).trim();
    const image = 'localhost/mlc-bench-verbs:tiny';
    if (
      spawnSync('podman', [...global, 'image', 'exists', image]).status !== 0
    ) {
      log(`importing ${image} (the host's true and sleep)...`);
      const root = path.join(WORK_DIR, 'tiny-rootfs');
      const files = new Set();
      for (const name of ['true', 'sleep']) {
        const binary = Private.binary(name);
        files.add(binary);
        const ldd = run('ldd', [binary]);
        for (const match of ldd.matchAll(/(\/[^\s]+) \(0x/g)) {
          files.add(match[1]);
        }
      }
      for (const file of files) {
        const target = path.join(root, file);
        mkdirSync(path.dirname(target), { recursive: true });
        copyFileSync(realpathSync(file), target);
        chmodSync(target, 0o755);
      }
      const tar = path.join(WORK_DIR, 'tiny-rootfs.tar');
      run('tar', ['-cf', tar, '-C', root, '.']);
      podman(['import', '--quiet', tar, image], 'import');
    }
    mkdirSync(path.join(WORK_DIR, 'enter'), { recursive: true });
    const dir = realpathSync(path.join(WORK_DIR, 'enter'));
    const workdirId = createHash('sha256').update(dir).digest('hex');
    const setupId = workdirId.slice(0, 32);
    const name = `mlc-bench-verbs-${process.pid}`;
    const id = podman(
      [
        'create',
        '--name',
        name,
        '--label',
        `io.github.mlc.workdir-id=${workdirId}`,
        '--label',
        `io.github.mlc.setup-id=${setupId}`,
        '--label',
        `io.github.mlc.workdir=${dir}`,
        '--ulimit',
        'nofile=1024:1024',
        '--ulimit',
        'nproc=1024:1024',
        '--network',
        'host',
        '-v',
        `${dir}:${dir}`,
        '-w',
        dir,
        '--entrypoint',
        Private.binary('sleep'),
        image,
        'infinity'
      ],
      'create'
    );
    const stop = () =>
      spawnSync('podman', [...global, 'rm', '-f', '-t', '0', id], {
        stdio: 'ignore'
      });
    try {
      podman(['start', id], 'start');
      writeFileSync(
        path.join(dir, '.mlc-container.json'),
        JSON.stringify({
          schemaVersion: 1,
          writtenBy: 'bench',
          engine: 'podman',
          workdir: dir,
          workdirId,
          setupId,
          setupAt: '2026-01-01T00:00:00Z',
          image: {
            name: 'tiny',
            tag: 'v1',
            reference: image,
            digest: null,
            compressedSize: null,
            created: null,
            lastUpdated: null
          },
          container: { name, id },
          binds: [],
          gpu: 'none'
        })
      );
    } catch (error) {
      stop();
      throw error;
    }
    return {
      dir,
      env: { MLC_PODMAN_ARGS: global.join(' ') },
      stop,
      exec: {
        label: 'podman exec CONTAINER true',
        argv: [
          Private.which('podman'),
          ...global,
          'exec',
          '-i',
          '-w',
          dir,
          id,
          'true'
        ],
        env: Private.childEnv(process.execPath),
        cwd: dir
      }
    };
  },

  /** `bench/lib/<verb>-floor.cjs ARGS...` on the Node that runs mlc. */
  floor(verb, args, env) {
    return {
      label: `floor of ${verb} (bench/lib/${verb}-floor.cjs)`,
      argv: [
        env.MLC_NODE,
        path.join(REPO, 'bench', 'lib', `${verb}-floor.cjs`),
        ...args
      ],
      env
    };
  },

  /** A program's file (not the shell's builtin of that name). */
  binary(name) {
    const found = ['/usr/bin', '/bin']
      .map(dir => path.join(dir, name))
      .find(file => existsSync(file));
    if (!found) {
      throw new Error(`no ${name} in /usr/bin or /bin`);
    }
    return found;
  },

  which(name) {
    return spawnSync('sh', ['-c', `command -v ${name}`], {
      encoding: 'utf-8'
    }).stdout.trim();
  },

  /** Each case's runs: [{ wallMs, cpuMs, status }], by bench/lib/rusage.py. */
  time(cases, runs) {
    const result = spawnSync(
      'python3',
      [path.join(REPO, 'bench', 'lib', 'rusage.py')],
      {
        input: JSON.stringify({
          runs,
          cases: cases.map(({ argv, env, cwd }) => ({ argv, env, cwd }))
        }),
        encoding: 'utf-8',
        maxBuffer: 64 * 1024 * 1024
      }
    );
    if (result.status !== 0) {
      throw new Error(
        `bench/lib/rusage.py failed: ${result.stderr.trim().split('\n').pop()}`
      );
    }
    return JSON.parse(result.stdout).times;
  },

  /** One target's line: the difference (or ratio) by median and by minimum, wall and CPU. */
  verdict(pair, of, against) {
    const shown = (a, b) =>
      pair.ratio !== undefined
        ? `${(a / b).toFixed(2)}x`
        : `${a - b >= 0 ? '+' : ''}${(a - b).toFixed(1)} ms`;
    const met = (a, b) =>
      pair.ratio !== undefined ? a / b <= pair.ratio : a - b <= pair.within;
    const goal =
      pair.ratio !== undefined
        ? `at most ${pair.ratio.toFixed(1)}x ${pair.against.label}`
        : `within ${pair.within} ms of ${pair.against.label}`;
    return `| ${pair.what}, ${goal} | ${shown(of.wall, against.wall)}, ${shown(of.wallMin, against.wallMin)} | ${shown(of.cpu, against.cpu)}, ${shown(of.cpuMin, against.cpuMin)} | ${met(of.wall, against.wall) ? 'yes' : 'no'} / ${met(of.cpu, against.cpu) ? 'yes' : 'no'} |`;
  }
};

main().catch(error => {
  process.stderr.write(`verbs.mjs: error: ${error.message.split('\n')[0]}\n`);
  process.exitCode = 1;
});
