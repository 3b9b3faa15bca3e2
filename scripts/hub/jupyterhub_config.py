# JupyterHub in the BNL shape, for the hub tests, the benchmark and
# `demo.sh --hub`: the dummy authenticator, configurable-http-proxy from npm,
# and batchspawner's SlurmSpawner whose job runs the single-user server
# inside the image with rootless podman, the host's Python directory
# prepended to PATH and PYTHONHOME set to it, as BNL's hosts do.
# MLC_HUB_SPAWNER=local swaps in SimpleLocalProcessSpawner (the benchmark's
# reference). Everything comes from MLC_HUB_* variables set by the caller.
import os
import shlex

env = os.environ
c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)
state = env["MLC_HUB_STATE"]

c.JupyterHub.bind_url = f"http://127.0.0.1:{env['MLC_HUB_PORT']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(env["MLC_HUB_API_PORT"])
c.ConfigurableHTTPProxy.command = [env["MLC_HUB_PROXY"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env['MLC_HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "proxy.pid")
c.JupyterHub.pid_file = os.path.join(state, "jupyterhub.pid")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(state, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {env.get("MLC_HUB_USER", "mlc-hub")}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 240
c.Spawner.ip = "127.0.0.1"

host_python = env["MLC_HUB_HOST_PYTHON"]
image = env["MLC_HUB_IMAGE"]
user_home = env.get("MLC_HUB_USER_HOME", "")
q = shlex.quote

if env.get("MLC_HUB_SPAWNER", "slurm") == "local":
    # The reference: the same single-user server, as a local process of the
    # hub's user, without Slurm and without a container.
    c.JupyterHub.spawner_class = "simple"
    c.Spawner.cmd = [os.path.join(host_python, "bin", "jupyterhub-singleuser")]
    # The local spawner runs servers as the hub's own user, here root.
    c.Spawner.args = ["--allow-root"]
    c.Spawner.environment = {"PATH": f"{host_python}/bin:/usr/bin:/bin", "JUPYTER_PATH": f"{host_python}/share/jupyter"}
    if user_home:
        c.Spawner.notebook_dir = user_home
else:
    c.JupyterHub.spawner_class = "batchspawner.SlurmSpawner"
    # No sudo on these machines: runuser as the hub (root) starts Slurm's clients as the user.
    c.SlurmSpawner.exec_prefix = "/usr/sbin/runuser -u {username} --"
    c.Spawner.env_keep = ["PATH", "LANG", "SLURM_CONF"]
    home = q(user_home) if user_home else '"$HOME"'
    # MLC_HUB_SLURM_CLIENTS=1 (demo --hub): Slurm's clients, their libraries and
    # the cluster's config and munge socket bound into the session, as sites
    # do, so that dask-jobqueue (and the Dask panel) can submit workers.
    slurm_binds = ""
    if env.get("MLC_HUB_SLURM_CLIENTS") == "1":
        cluster_dir = os.path.dirname(env["SLURM_CONF"])
        paths = ["/usr/bin/sbatch", "/usr/bin/squeue", "/usr/bin/scancel",
                 "/usr/lib/x86_64-linux-gnu/slurm-wlm", "/usr/lib/x86_64-linux-gnu/libmunge.so.2", cluster_dir]
        slurm_binds = "".join(f"-v {q(p)}:{q(p)}:ro " for p in paths) + '-e SLURM_CONF -e XDG_CONFIG_HOME '
    c.SlurmSpawner.batch_script = f"""#!/bin/bash
#SBATCH --output={user_home or '{{{{homedir}}}}'}/jupyterhub_slurmspawner_%j.log
#SBATCH --job-name=spawner-jupyterhub
#SBATCH --chdir={user_home or '{{{{homedir}}}}'}
#SBATCH --export={{{{keepvars}}}}
set -euo pipefail
export HOME={home}
# This machine's podman settings for the user (runc, ulimits, overlay storage).
export XDG_CONFIG_HOME={q(env.get('MLC_HUB_XDG_CONFIG', ''))}
[ -n "$XDG_CONFIG_HOME" ] || unset XDG_CONFIG_HOME
# The hub's variables (API token, URLs) go into the container by name.
hub_vars=()
for name in $(compgen -e); do
    case $name in JUPYTERHUB_*|JPY_*) hub_vars+=(-e "$name") ;; esac
done
# Rootless podman's container lives under conmon, outside the job's
# processes: on scancel (SIGTERM) stop it by name, or it outlives the job.
name=mlc-hub-job-$SLURM_JOB_ID
trap 'podman stop -t 3 "$name" >/dev/null 2>&1' TERM
podman run --rm --name "$name" --network=host --userns=keep-id \\
    -v "$HOME:$HOME" -w "$HOME" -e HOME="$HOME" \\
    -v {q(host_python)}:{q(host_python)}:ro \\
    -e PATH={q(host_python)}/bin:/opt/conda/bin:/usr/local/bin:/usr/bin:/bin \\
    -e PYTHONHOME={q(host_python)} {slurm_binds}\\
    "${{hub_vars[@]}}" {q(image)} {{{{cmd}}}} &
wait $! || wait $!
"""
