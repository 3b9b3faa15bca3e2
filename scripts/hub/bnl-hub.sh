#!/usr/bin/env bash
# The BNL shape for a person to try (`scripts/demo.sh --hub`): a one-node
# Slurm cluster, JupyterHub with the dummy authenticator and batchspawner's
# SlurmSpawner, the single-user server a Slurm job of the user mlc-hub
# running the hub image with rootless podman. Runs in the foreground until
# Ctrl-C, then stops the hub, its jobs and the cluster. Needs root.
#
#   scripts/hub/bnl-hub.sh [--port N]
set -euo pipefail

cd "$(dirname "$0")/../.."
REPO=$(pwd -P)
port=8000
if [ "${1:-}" = "--port" ]; then port=${2:?--port needs a number}; fi
[ "$(id -u)" -eq 0 ] || { echo "demo --hub: error: the hub demo runs Slurm and JupyterHub as root; run it as root" >&2; exit 2; }

state="$REPO/build/hub/run/demo"
image=localhost/mlc-hub-image:latest
prefix="$REPO/build/hub/image-prefix"
mkdir -p "$state"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
say() { printf '\033[1m[demo --hub]\033[0m %s\n' "$*"; }

say "the hub image (JupyterLab, jupyterhub, batchspawner, this project) - a few minutes the first time"
scripts/hub/make-hub-prefix.sh "$prefix"
if ! podman --runtime runc image exists "$image" || [ "$(cat build/hub/image.stamp 2>/dev/null)" != "$(cat "$prefix.ready")" ]; then
    scripts/make-container-image.sh "$prefix" "$image"
    cat "$prefix.ready" > build/hub/image.stamp
fi
user_uid=$(scripts/hub/ensure-hub-user.sh)
want=$(podman --runtime runc image inspect --format '{{.Id}}' "$image")
have=$(cd / && runuser -u mlc-hub -- podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
    say "loading the image into mlc-hub's rootless podman storage"
    podman --runtime runc save "$image" | (cd / && runuser -u mlc-hub -- podman load -q) >/dev/null
fi
[ -x build/hub/node_modules/.bin/configurable-http-proxy ] ||
    npm install --no-audit --no-fund --loglevel=error --prefix build/hub configurable-http-proxy@5 >/dev/null

home="$state/home"
install -d -o mlc-hub -g mlc-hub "$home"
scripts/hub/cluster.sh start "$state/slurm" "$(free_port)" "$(free_port)" >/dev/null

hub_pid=
cleanup() {
    [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null
    scripts/hub/cluster.sh stop "$state/slurm"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "JupyterHub (SlurmSpawner, rootless podman as mlc-hub, uid $user_uid)"
rm -f "$state/jupyterhub.sqlite"
(
    cd "$state"
    exec env -i PATH="$REPO/.venv/bin:/usr/local/bin:/usr/bin:/bin" LANG=C.UTF-8 HOME="$state" \
        MLC_HUB_STATE="$state" MLC_HUB_PORT="$port" MLC_HUB_API_PORT="$(free_port)" MLC_HUB_PROXY_API_PORT="$(free_port)" \
        MLC_HUB_PROXY="$REPO/build/hub/node_modules/.bin/configurable-http-proxy" \
        MLC_HUB_IMAGE="$image" MLC_HUB_HOST_PYTHON="$prefix" MLC_HUB_USER_HOME="$home" \
        MLC_HUB_XDG_CONFIG=/home/mlc-hub/.config SLURM_CONF="$state/slurm/slurm.conf" MLC_HUB_SLURM_CLIENTS=1 \
        "$REPO/.venv/bin/jupyterhub" -f "$REPO/scripts/hub/jupyterhub_config.py"
) >"$state/hub.log" 2>&1 &
hub_pid=$!
for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/hub/api/" >/dev/null 2>&1 && break
    kill -0 "$hub_pid" 2>/dev/null || { echo "demo --hub: error: JupyterHub did not start; see $state/hub.log" >&2; exit 1; }
    sleep 0.5
done
echo
echo "JupyterHub (BNL shape: each server is a Slurm job running the image with podman):"
echo "    http://127.0.0.1:$port/"
echo "    log in as: mlc-hub   (any password)"
echo "Scale out (Dask workers as Slurm jobs in the same image and env): in a terminal of your session,"
echo "    /opt/conda/bin/mlc env create ~/myEnv && /opt/conda/bin/mlc env dask-config ~/myEnv --via podman --image $image --scheduler-host 127.0.0.1 --panel"
echo "    then open the Dask panel (the Dask logo in the left sidebar), press New, then Scale: the workers are Slurm jobs (squeue)."
echo "    (Restart your server after writing the config: the panel reads it when the server starts.)"
echo "Stop it with Ctrl-C."
echo
wait "$hub_pid"
