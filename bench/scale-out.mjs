#!/usr/bin/env node
/**
 * Time from `cluster.scale(2)` to 2 Dask workers connected, on the hub
 * tests' Slurm cluster, in host mode (the hub prefix mounted read-only, an
 * extended env in a scratch home of the hub user): workers started by
 * `mlc env dask-config`'s worker command (the fingerprint checked first)
 * against dask-jobqueue's default `python` (the kernel's sys.executable,
 * no check). Runs alternate; prints medians and the ratio (goal: at most
 * 1.1x in host mode). Needs root (Slurm, runuser, mount).
 *
 *   node bench/scale-out.mjs [--runs N]      (default 5 of each)
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
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' } }
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('scale-out: error: --runs needs a positive whole number');
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

const DRIVER = `
import json, sys, time
from dask_jobqueue import SLURMCluster
from distributed import Client
times = {"mlc": [], "default": []}
for run in range(${runs}):
    for mode in (("mlc", "default") if run % 2 == 0 else ("default", "mlc")):
        cluster = SLURMCluster(**({} if mode == "mlc" else {"python": sys.executable}))
        client = Client(cluster)
        started = time.perf_counter()
        cluster.scale(2)
        client.wait_for_workers(2, timeout=300)
        times[mode].append(time.perf_counter() - started)
        client.close()
        cluster.close()
print(json.dumps(times))
`;

const scratch = h.makeScratch('bench-scale');
let cluster = null;
let base = '';
try {
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
  const as = (file, args, extra = {}) => {
    const ran = h.asHubUser(file, args, {
      env: { HOME: home, SLURM_CONF: cluster.conf, ...extra },
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
  as(`${base}/bin/mlc`, ['env', 'create', env]);
  const wheels = path.join(scratch.dir, 'wheels');
  as(`${env}/bin/pip`, [
    'install',
    '-q',
    '--no-index',
    h.buildWheel(wheels, 'probe_pkg', '1.0')
  ]);
  as(`${base}/bin/mlc`, [
    'env',
    'dask-config',
    env,
    '--scheduler-host',
    '127.0.0.1',
    '--memory',
    '1GiB'
  ]);
  const kernels = path.join(home, '.local', 'share', 'jupyter', 'kernels');
  const spec = JSON.parse(
    readFileSync(
      path.join(kernels, readdirSync(kernels)[0], 'kernel.json'),
      'utf-8'
    )
  );
  const kernelEnv = Object.fromEntries(
    Object.entries(spec.env).map(([k, v]) => [
      k,
      v.replace('${PATH}', '/usr/local/bin:/usr/bin:/bin')
    ])
  );
  const driver = path.join(home, 'bench.py');
  writeFileSync(driver, DRIVER);
  chmodSync(driver, 0o644);
  const ran = as(spec.argv[0], ['-s', driver], kernelEnv);
  const times = JSON.parse(ran.stdout.trim().split('\n').pop());
  const median = list =>
    [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const [ours, theirs] = [median(times.mlc), median(times.default)];
  console.log(
    `scale(2) to 2 workers connected, host mode, ${runs} alternating runs of each, medians:`
  );
  console.log(
    `  mlc worker command (fingerprint checked): ${ours.toFixed(2)} s  [${times.mlc.map(t => t.toFixed(2)).join(' ')}]`
  );
  console.log(
    `  dask-jobqueue default python:             ${theirs.toFixed(2)} s  [${times.default.map(t => t.toFixed(2)).join(' ')}]`
  );
  console.log(
    `  ratio: ${(ours / theirs).toFixed(2)}x (goal <= 1.1x in host mode)`
  );
} finally {
  cluster?.stop();
  if (base) {
    h.unmount(base);
  }
  scratch.cleanup();
}
