#!/usr/bin/env bash
# Set everything up and run JupyterLab on the built-in demo image env: the
# launcher opens on the image's ML-Python3 kernels.
#
#   scripts/demo.sh [--port N]
#   scripts/demo.sh --hub [--port N]   the BNL shape instead: JupyterHub whose
#                                      servers are Slurm jobs running the image
#                                      with podman (needs root; prints the URL
#                                      and the login name)
#
# The demo keeps its Jupyter state under build/demo/ (data dir, runtime,
# extended envs), so it never touches your own ~/.local/share/jupyter.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd -P)
if [ "${1:-}" = "--hub" ]; then
    shift
    scripts/setup.sh
    exec scripts/hub/bnl-hub.sh "$@"
fi
port=8888
if [ "${1:-}" = "--port" ]; then port=${2:?--port needs a number}; fi

scripts/setup.sh --demo
scripts/make-demo-image.sh build/demo-image

state="$REPO/build/demo"
mkdir -p "$state/data" "$state/runtime" "$state/config" "$state/work"
# A demo asks nothing of its user: no "get notified about Jupyter news?" toast
# (fetchNews "false" in JupyterLab's overrides, as the images set it).
appdir=$(.venv/bin/jupyter lab path | sed -n 's/^Application directory: *//p')
install -D -m 0644 images/shared/jupyterlab-overrides.json \
    "$appdir/settings/overrides.d/jupyterlab-ml-containers.json"
token=$(node -e 'console.log(require("crypto").randomBytes(16).toString("hex"))')

export JUPYTER_PATH="$REPO/build/demo-image/share/jupyter"
export JUPYTER_DATA_DIR="$state/data"
export JUPYTER_RUNTIME_DIR="$state/runtime"
export JUPYTER_CONFIG_DIR="$state/config"
# The server is .venv's JupyterLab; the extension runs the demo image's own
# bin/mlc, so extended envs layer over the demo image.
export PATH="$REPO/.venv/bin:$PATH"

echo
echo "JupyterLab on the demo image env (ML-Python3, ML-Python3-usersite):"
echo "    http://127.0.0.1:$port/lab?token=$token"
echo "Stop it with Ctrl-C."
echo
# Containers and CI machines often run as root; Jupyter refuses that unless told.
extra=()
if [ "$(id -u)" -eq 0 ]; then extra+=(--allow-root); fi
exec jupyter lab "${extra[@]}" --no-browser --ip 127.0.0.1 --port "$port" --ServerApp.port_retries=0 \
    --IdentityProvider.token="$token" --ServerApp.root_dir "$state/work"
