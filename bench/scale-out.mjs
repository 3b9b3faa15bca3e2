#!/usr/bin/env node
/**
 * Time from `cluster.scale(2)` to 2 Dask workers connected, on the hub
 * tests' Slurm cluster: workers started by `mlc env dask-config`'s worker
 * command (the fingerprint checked first) against dask-jobqueue's default,
 * workers running the host's Python (no image, no check). Paired rounds
 * alternate the order; prints medians and the ratio of one run. Needs root
 * (Slurm, runuser, mount, the hub user's rootless podman).
 *
 *   node bench/scale-out.mjs [--via host|podman] [--runs N] [--no-podman-costs]
 *
 * --via host (default): the CVMFS host-mode shape. The hub prefix mounted
 *   read-only, an extended env in a scratch home of the hub user, the kernel
 *   on the host; the default `python` is the kernel's sys.executable.
 *   Goal at most 1.1x.
 * --via podman: the BNL shape of tests/hub/scaleOutPodman.test.ts. The
 *   kernel runs inside the hub image with rootless podman (keep-id, home
 *   mounted, host network, Slurm's clients bound in); the env is made in
 *   that session; `dask-config --via podman` makes each worker a Slurm job
 *   running the same image with podman. The default side passes `python=`
 *   the host's Python (the same prefix mounted read-only on the host: the
 *   kernel's own sys.executable is a path inside the image, which the host
 *   does not have). Goal at most 1.3x. Then, unless --no-podman-costs, what
 *   podman's start costs: `podman run` of the image alone and with each of
 *   the worker command's settings changed, one at a time, round-robin.
 *
 * The harness is the hub tests' own, bundled by esbuild into build/bench/.
 */
import { build } from 'esbuild';
import {
  chownSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  chmodSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    via: { type: 'string', default: 'host' },
    'no-podman-costs': { type: 'boolean', default: false }
  }
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('scale-out: error: --runs needs a positive whole number');
  process.exit(2);
}
if (values.via !== 'host' && values.via !== 'podman') {
  console.error('scale-out: error: --via is host or podman');
  process.exit(2);
}

const bundle = path.join(REPO, 'build', 'bench', 'scale-out', 'harness.cjs');
await build({
  stdin: {
    contents: [
      "export * from './tests/hub/harness/slurm';",
      "export * from './tests/hub/harness/user';",
      "export * from './tests/hub/harness/images';",
      "export * from './tests/hub/harness/mount';",
      "export * from './tests/hub/harness/containers';",
      "export * from './tests/hub/harness/session';",
      "export { makeScratch } from './tests/harness/paths';",
      "export { buildWheel } from './tests/harness/unprivilegedBase';"
    ].join('\n'),
    resolveDir: REPO,
    loader: 'ts'
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: bundle,
  logLevel: 'error'
});
const h = await import(pathToFileURL(bundle).href);

/**
 * The kernel's driver: paired rounds, the order alternating; each round
 * starts with no job of the user left in squeue (a podman worker's
 * container stops after its job is cancelled), outside the timing.
 */
const driver = defaultPython => `
import json, subprocess, sys, time
from dask_jobqueue import SLURMCluster
from distributed import Client

def idle():
    for _ in range(240):
        listed = subprocess.run(["squeue", "-h", "-o", "%i"], capture_output=True, text=True, timeout=30).stdout
        if not listed.strip():
            return
        time.sleep(0.5)
    raise SystemExit("jobs still in squeue after 120 s: " + listed)

times = {"mlc": [], "default": []}
for run in range(${runs}):
    for mode in (("mlc", "default") if run % 2 == 0 else ("default", "mlc")):
        idle()
        cluster = SLURMCluster(**({} if mode == "mlc" else {"python": ${JSON.stringify(defaultPython)} or sys.executable}))
        client = Client(cluster)
        started = time.perf_counter()
        cluster.scale(2)
        client.wait_for_workers(2, timeout=300)
        times[mode].append(time.perf_counter() - started)
        client.close()
        cluster.close()
idle()
print(json.dumps(times))
`;

/**
 * What podman's start costs, as the hub user on the host (where the worker
 * jobs run it): each variant changes one setting of the worker command's
 * `podman run`; round-robin, the order rotated each round.
 */
const PODMAN_COSTS = `
import json, subprocess, sys, time
image, home, python, worker_json, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
worker = json.loads(worker_json)
IMPORT = "import distributed.cli.dask_worker"
base = ["podman", "run", "--rm", "--network", "host"]
mounts = ["-v", home + ":" + home, "-e", "HOME=" + home, "-w", home]
variants = {
    "host python -c pass (no container)": [python, "-c", "pass"],
    "podman run --rm --network host IMG true": base + [image, "true"],
    "  + the home mounted, HOME, -w (as the worker)": base + mounts + [image, "true"],
    "  + --pull=never": base[:2] + ["--pull=never"] + base[2:] + [image, "true"],
    "  without --rm (removed untimed)": ["podman", "run", "--network", "host", image, "true"],
    "  + --log-driver=none": base + ["--log-driver=none", image, "true"],
    "  + --cgroups=disabled": base + ["--cgroups=disabled", image, "true"],
    "  + --cgroups=no-conmon": base + ["--cgroups=no-conmon", image, "true"],
    "  + --log-driver=passthrough": base + ["--log-driver=passthrough", image, "true"],
    "  + --events-backend=none (podman's own option)": ["podman", "--events-backend=none"] + base[1:] + [image, "true"],
    "  + --security-opt seccomp=unconfined (weaker: not for use)": base + ["--security-opt", "seccomp=unconfined", image, "true"],
    "podman run ... IMG python -c pass (the image's Python)": base + mounts + [image, "/opt/conda/bin/python3", "-c", "pass"],
    "the worker command -c pass (wrapper, podman, Python, check)": worker + ["-c", "pass"],
    "host Python: import distributed.cli.dask_worker": [python, "-c", IMPORT],
    "podman run ... the image's Python: the same import": base + mounts + [image, "/opt/conda/bin/python3", "-c", IMPORT],
    "  + PYTHONPYCACHEPREFIX in the home, warm": base + mounts + ["-e", "PYTHONPYCACHEPREFIX=" + home + "/.bench-pycache", image, "/opt/conda/bin/python3", "-c", IMPORT],
}
failed = {}
for name, argv in variants.items():
    ran = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if ran.returncode != 0:
        failed[name] = ran.stderr.strip().splitlines()[-1:] or ["exit %d" % ran.returncode]
    if "without --rm" in name:
        subprocess.run(["podman", "container", "prune", "-f"], capture_output=True, timeout=300)
times = {name: [] for name in variants if name not in failed}
names = list(times)
for r in range(rounds):
    order = names[r % len(names):] + names[:r % len(names)]
    for name in order:
        started = time.perf_counter()
        subprocess.run(variants[name], capture_output=True, timeout=300)
        times[name].append(time.perf_counter() - started)
        if "without --rm" in name:
            subprocess.run(["podman", "container", "prune", "-f"], capture_output=True, timeout=300)
print(json.dumps({"times": times, "failed": failed}))
`;

const median = list =>
  [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const seconds = list => list.map(t => t.toFixed(2)).join(' ');

const scratch = h.makeScratch('bench-scale');
let cluster = null;
let base = '';
try {
  // The image first: it builds the prefix when it is out of date, which
  // must not happen under the mount.
  if (values.via === 'podman') {
    h.hubImageForUser();
  }
  const prefix = h.hubPrefix();
  base = h.mountReadOnly(
    prefix,
    'unpacked.cern.ch/registry.local/ml-scale-bench/opt/conda'
  );
  const user = h.hubUser();
  const home = path.join(scratch.dir, 'home');
  mkdirSync(home);
  chownSync(home, user.uid, user.gid);
  cluster = await h.startCluster('scaleout-bench');
  const env = path.join(home, 'benchEnv');
  const hostEnv = {
    HOME: home,
    SLURM_CONF: cluster.conf,
    ...(values.via === 'podman' ? h.podmanEnv() : {})
  };
  const onHost = (file, args, extra = {}) => {
    const ran = h.asHubUser(file, args, {
      env: { ...hostEnv, ...extra },
      timeoutMs: 1800000,
      cwd: home
    });
    if (ran.code !== 0) {
      throw new Error(
        `${file} ${args.slice(0, 3).join(' ')} failed: ${ran.stderr.slice(-2000)}`
      );
    }
    return ran;
  };
  // The kernel's side: on the host (host mode), or in the session's container (podman).
  const inKernel = (file, args, extra = {}) => {
    if (values.via === 'host') {
      return onHost(file, args, extra);
    }
    return onHost(
      'podman',
      h.sessionRunArgs({
        home,
        readOnly: [...h.SLURM_CLIENT_PATHS, cluster.dir],
        env: { ...hostEnv, ...extra },
        image: h.HUB_IMAGE,
        command: [file, ...args]
      })
    );
  };
  const mlc = values.via === 'host' ? `${base}/bin/mlc` : 'mlc';
  inKernel(mlc, ['env', 'create', env]);
  const wheels = path.join(scratch.dir, 'wheels');
  const wheel = h.buildWheel(wheels, 'probe_pkg', '1.0');
  chmodSync(wheels, 0o755);
  chmodSync(wheel, 0o644);
  if (values.via === 'podman') {
    // The session's container sees the home only.
    const inHome = path.join(home, path.basename(wheel));
    writeFileSync(inHome, readFileSync(wheel));
    chmodSync(inHome, 0o644);
    inKernel(`${env}/bin/pip`, ['install', '-q', '--no-index', inHome]);
  } else {
    inKernel(`${env}/bin/pip`, ['install', '-q', '--no-index', wheel]);
  }
  inKernel(mlc, [
    'env',
    'dask-config',
    env,
    ...(values.via === 'podman'
      ? ['--via', 'podman', '--image', h.HUB_IMAGE]
      : []),
    '--scheduler-host',
    '127.0.0.1',
    '--memory',
    '1GiB',
    '--walltime',
    '00:20:00'
  ]);
  const kernels = path.join(home, '.local', 'share', 'jupyter', 'kernels');
  const spec = JSON.parse(
    readFileSync(
      path.join(kernels, readdirSync(kernels)[0], 'kernel.json'),
      'utf-8'
    )
  );
  const kernelPath =
    values.via === 'host'
      ? '/usr/local/bin:/usr/bin:/bin'
      : '/opt/conda/bin:/usr/local/bin:/usr/bin:/bin';
  const kernelEnv = Object.fromEntries(
    Object.entries(spec.env).map(([k, v]) => [
      k,
      v.replace('${PATH}', kernelPath)
    ])
  );
  const script = path.join(home, 'bench.py');
  // Host mode: dask-jobqueue's own default (the kernel's sys.executable, a host path).
  writeFileSync(
    script,
    driver(values.via === 'podman' ? `${base}/bin/python3` : '')
  );
  chmodSync(script, 0o644);
  const load = os
    .loadavg()
    .map(l => l.toFixed(1))
    .join(' ');
  const ran = inKernel(spec.argv[0], ['-s', script], kernelEnv);
  const times = JSON.parse(ran.stdout.trim().split('\n').pop());
  const [ours, theirs] = [median(times.mlc), median(times.default)];
  const goal = values.via === 'podman' ? 1.3 : 1.1;
  console.log(
    `scale(2) to 2 workers connected, ${values.via === 'podman' ? 'podman workers (BNL shape)' : 'host mode'}, ${runs} paired rounds, order alternating, medians (load average at start: ${load}; at end: ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ')}):`
  );
  console.log(
    `  mlc worker command${values.via === 'podman' ? ' (podman run, fingerprint checked)' : ' (fingerprint checked)'}: ${ours.toFixed(2)} s  [${seconds(times.mlc)}]`
  );
  console.log(
    `  dask-jobqueue default, the host's Python:${values.via === 'podman' ? '           ' : ''} ${theirs.toFixed(2)} s  [${seconds(times.default)}]`
  );
  console.log(
    `  ratio: ${(ours / theirs).toFixed(2)}x (goal <= ${goal}x ${values.via === 'podman' ? 'with podman' : 'in host mode'})`
  );
  if (values.via === 'podman' && !values['no-podman-costs']) {
    const answer = inKernel(mlc, [
      'env',
      'worker-command',
      env,
      '--via',
      'podman',
      '--image',
      h.HUB_IMAGE,
      '--json'
    ])
      .stdout.split('\n')
      .find(line => line.includes('"type":"result"'));
    const argv = JSON.parse(answer).data.argv;
    const costs = path.join(home, 'podman-costs.py');
    writeFileSync(costs, PODMAN_COSTS);
    chmodSync(costs, 0o644);
    const costRounds = Math.max(7, runs);
    const measured = JSON.parse(
      onHost(`${base}/bin/python3`, [
        costs,
        h.HUB_IMAGE,
        home,
        `${base}/bin/python3`,
        JSON.stringify(argv),
        String(costRounds)
      ])
        .stdout.trim()
        .split('\n')
        .pop()
    );
    const bare = median(
      measured.times['podman run --rm --network host IMG true'] ?? [NaN]
    );
    console.log(
      `\nWhat podman's start costs (hub user, on the host where the jobs run it; ${costRounds} rounds, round-robin; medians; an indented line changes one thing of the line above it and shows the difference):`
    );
    for (const [name, list] of Object.entries(measured.times)) {
      const m = median(list);
      const reference = name.includes('PYTHONPYCACHEPREFIX')
        ? median(
            measured.times[
              "podman run ... the image's Python: the same import"
            ] ?? [NaN]
          )
        : bare;
      console.log(
        `  ${name.padEnd(62)} ${m.toFixed(3)} s  ${name.startsWith('  ') ? `${m - reference >= 0 ? '+' : ''}${((m - reference) * 1000).toFixed(0)} ms` : ''}`
      );
    }
    for (const [name, why] of Object.entries(measured.failed)) {
      console.log(`  ${name.padEnd(62)} fails here: ${why.join(' ')}`);
    }
  }
} finally {
  cluster?.stop();
  if (values.via === 'podman') {
    h.removeUserContainers();
  }
  if (base) {
    h.unmount(base);
  }
  scratch.cleanup();
}
