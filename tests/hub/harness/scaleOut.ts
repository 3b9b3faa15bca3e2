/**
 * What the scale-out tests (tests/hub/scaleOut*.test.ts) run as the env's
 * kernel: Python drivers that start dask-jobqueue's SLURMCluster() from the
 * configuration `mlc env dask-config` wrote, and read their one JSON line.
 */

/** The facts a worker and the kernel compare: prefix, base, image build, package version. */
const FACTS = `
import json, sys
def facts():
    import json, sys, probe_pkg
    with open(sys.base_prefix + "/share/jupyter/kernels/python3/image.json") as handle:
        image = json.load(handle)
    return {"prefix": sys.prefix, "base": sys.base_prefix, "build": image["buildDate"], "version": probe_pkg.__version__}
`;

/** Scale to 2 workers, run facts() on each with client.submit, list the jobs and squeue. */
export const SCALE_DRIVER = `${FACTS}
import subprocess
from dask_jobqueue import SLURMCluster
from distributed import Client
import mlc_dask
cluster = SLURMCluster()
cluster.scale(2)
mlc_dask.wait_for_workers(cluster, 2, timeout=300)
client = Client(cluster)
workers = sorted(client.nthreads())
results = [client.submit(facts, pure=False, workers=[w]).result(timeout=120) for w in workers]
jobs = sorted(str(job.job_id) for job in cluster.workers.values())
queue = subprocess.run(["squeue", "-h", "-o", "%i %u %T"], capture_output=True, text=True, timeout=30).stdout
client.close(); cluster.close()
print(json.dumps({"kernel": facts(), "workers": results, "jobs": jobs, "queue": queue}))
`;

/** Scale to 1 worker and report the bounded wait's error (null when a worker came). */
export const REFUSAL_DRIVER = `${FACTS}
from dask_jobqueue import SLURMCluster
import mlc_dask
cluster = SLURMCluster()
cluster.scale(1)
try:
    mlc_dask.wait_for_workers(cluster, 1, timeout=300)
    print(json.dumps({"error": None}))
except RuntimeError as error:
    print(json.dumps({"error": str(error)}))
finally:
    cluster.close()
`;

export interface IScaleResult {
  kernel: Record<string, string>;
  workers: Record<string, string>[];
  jobs: string[];
  queue: string;
}

/** The last line of a driver's stdout, as JSON (the driver's output and stderr on failure). */
export function lastJson<T>(stdout: string, stderr = ''): T {
  const lines = stdout.trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1]) as T;
  } catch {
    throw new Error(
      `the driver printed no JSON:\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`
    );
  }
}

/** The refusal the fingerprint check prints for probe_pkg upgraded from 1.0 to 2.0. */
export const PROBE_REFUSAL =
  /^mlc worker: refusing to start: package probe_pkg differs: the kernel had 1\.0, here 2\.0;/;
