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

/**
 * In a session without Slurm's clients: dask_jobqueue's own scale() and
 * mlc_dask's bounded wait, then mlc_dask.SLURMCluster's scale(); each
 * failure's class and message.
 */
export const NO_CLIENT_DRIVER = `
import json
from dask_jobqueue import SLURMCluster
import mlc_dask
def failure(work):
    try:
        work()
        return None
    except Exception as error:
        return [type(error).__name__, str(error)]
out = {}
cluster = SLURMCluster()
cluster.scale(2)
out["wait"] = failure(lambda: mlc_dask.wait_for_workers(cluster, 2, timeout=120))
failure(cluster.close)
cluster = mlc_dask.SLURMCluster()
out["scale"] = failure(lambda: cluster.scale(2))
out["jobs"] = len(cluster.workers)
cluster.close()
print(json.dumps(out))
`;

/** What mlc_dask raises when sbatch and scancel are not on the kernel's PATH. */
export const NO_CLIENT_LINE =
  "sbatch and scancel were not found on PATH: this env's Dask configuration submits each worker as a Slurm job, so nothing was submitted; run the notebook where Slurm's client commands are (a login node, or a session with sbatch and scancel bound in) or add their directory to PATH";

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
