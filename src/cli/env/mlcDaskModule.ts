/**
 * The text of `mlc_dask.py`, which `mlc env dask-config` writes into the
 * env's site-packages: a bounded wait for dask-jobqueue workers that says
 * why they did not come. dask-jobqueue itself waits forever, and a worker
 * that refused to start (./fingerprint.ts) leaves its reason only in its
 * job log; this reads those logs for the cluster's own jobs.
 */
export const MLC_DASK_PY = `"""Written by mlc env dask-config (jupyterlab-ml-containers).

wait_for_workers(cluster, n, timeout=300): wait until n workers of a
dask-jobqueue cluster are connected, at most timeout seconds. A batch
system command the cluster needs that is not on PATH (sbatch, scancel)
raises SchedulerCommandMissing at once; a worker that refused to start (the
env or image changed since the configuration was written) raises
RuntimeError with its one line; a timeout raises TimeoutError with the
jobs' states.

SLURMCluster: dask_jobqueue's SLURMCluster, the same configuration, whose
scale() and adapt() raise SchedulerCommandMissing before anything is
submitted (dask_jobqueue's own only logs a FileNotFoundError traceback
from its background task, and its workers never come).
"""
import glob
import os
import shlex
import shutil
import subprocess
import time

REFUSAL = "mlc worker: refusing to start: "


class SchedulerCommandMissing(RuntimeError):
    """A command of the batch system (sbatch, scancel...) is not on PATH."""


def _scheduler_commands(cluster):
    # dask-jobqueue's job class names the commands it runs (SLURMJob: sbatch, scancel).
    job_cls = getattr(cluster, "job_cls", None)
    names = []
    for attribute in ("submit_command", "cancel_command"):
        value = getattr(job_cls, attribute, None)
        if isinstance(value, str) and value.strip():
            name = shlex.split(value)[0]
            if name not in names:
                names.append(name)
    return names or ["sbatch", "scancel"]


def require_scheduler_commands(cluster=None):
    """Raise SchedulerCommandMissing, one line, when a command the cluster runs is not on PATH."""
    names = _scheduler_commands(cluster)
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    raise SchedulerCommandMissing(
        "%s %s not found on PATH: this env's Dask configuration submits each worker "
        "as a Slurm job, so nothing was submitted; run the notebook where Slurm's "
        "client commands are (a login node, or a session with %s bound in) or add "
        "their directory to PATH"
        % (" and ".join(missing), "was" if len(missing) == 1 else "were", " and ".join(names))
    )


def __getattr__(name):
    # Made on first use: importing mlc_dask needs no dask_jobqueue.
    if name != "SLURMCluster":
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    from dask_jobqueue import SLURMCluster as _Base

    class SLURMCluster(_Base):
        __doc__ = _Base.__doc__

        def scale(self, *args, **kwargs):
            require_scheduler_commands(self)
            return super().scale(*args, **kwargs)

        def adapt(self, *args, **kwargs):
            require_scheduler_commands(self)
            return super().adapt(*args, **kwargs)

    SLURMCluster.__module__ = __name__
    globals()["SLURMCluster"] = SLURMCluster
    return SLURMCluster


def _job_ids(cluster, seen):
    for job in list(getattr(cluster, "workers", {}).values()):
        job_id = getattr(job, "job_id", None)
        if job_id:
            seen.add(str(job_id))
    return seen


def _refusal(log_directory, job_ids):
    if not log_directory:
        return None
    for job_id in sorted(job_ids):
        if not job_id.isdigit():
            continue
        for log in glob.glob(os.path.join(glob.escape(log_directory), "*-%s.err" % job_id)):
            try:
                with open(log, errors="replace") as handle:
                    text = handle.read(1 << 20)
            except OSError:
                continue
            for line in text.splitlines():
                if REFUSAL in line:
                    return line[line.index(REFUSAL):].strip()
    return None


def _states(job_ids):
    ids = sorted(j for j in job_ids if j.isdigit())
    if not ids:
        return "no job submitted yet"
    try:
        listed = subprocess.run(
            ["squeue", "-h", "-j", ",".join(ids), "-o", "%i %T %r"],
            capture_output=True, text=True, timeout=15, check=False,
        ).stdout.strip()
    except FileNotFoundError:
        return "squeue was not found on PATH to list the jobs"
    except (OSError, subprocess.SubprocessError) as error:
        return "squeue failed: %s" % error
    return "jobs: " + ("; ".join(listed.splitlines()) or "none left in squeue")


def _connected(cluster):
    info = getattr(cluster, "scheduler_info", None) or {}
    return len(info.get("workers", {}))


def wait_for_workers(cluster, n, timeout=300, poll=1.0):
    """Wait for n connected workers; raise with the reason instead of hanging."""
    import dask

    require_scheduler_commands(cluster)

    log_directory = dask.config.get("jobqueue.slurm.log-directory", None)
    deadline = time.monotonic() + timeout
    seen = set()
    while True:
        _job_ids(cluster, seen)
        have = _connected(cluster)
        if have >= n:
            return have
        line = _refusal(log_directory, seen)
        if line:
            raise RuntimeError(line)
        if time.monotonic() > deadline:
            raise TimeoutError(
                "%d of %d Dask workers connected after %d s; %s"
                % (have, n, timeout, _states(seen))
            )
        time.sleep(poll)
`;
