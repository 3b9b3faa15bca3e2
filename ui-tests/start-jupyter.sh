#!/usr/bin/env bash
# Start the real JupyterLab that the UI tests drive (Playwright's webServer):
# the project's .venv, this tree's built labextension, and Jupyter state in
# a fresh MLC_UI_STATE so that nothing of the user's ~/.jupyter or
# ~/.local/share/jupyter is read. Kernel specs come from the demo image
# (JUPYTER_PATH) and from the state's data dir, where one "host" kernel
# shows the launcher's note on interpreters the image does not have.
#
# Needs MLC_DEMO_IMAGE, MLC_UI_STATE and MLC_UI_PORT (ui-tests/run.sh sets them).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd -P)
REPO=$(dirname "$HERE")
die() { echo "start-jupyter.sh: error: $*" >&2; exit 2; }

demo=${MLC_DEMO_IMAGE:?MLC_DEMO_IMAGE is not set; run ui-tests/run.sh}
state=${MLC_UI_STATE:?MLC_UI_STATE is not set; run ui-tests/run.sh}
: "${MLC_UI_PORT:?MLC_UI_PORT is not set; run ui-tests/run.sh}"

[ -x "$REPO/.venv/bin/jupyter-lab" ] || die "no JupyterLab in $REPO/.venv; run scripts/setup.sh"
[ -f "$demo/share/jupyter/kernels/python3/kernel.json" ] ||
    die "no demo image at $demo; run scripts/make-demo-image.sh $demo"
[ -f "$REPO/jupyterlab_ml_containers/labextension/package.json" ] ||
    die "the labextension is not built; run: npm run build:lib && npm run build:labextension"

# Only ever remove a state folder this script made (it carries our marker).
if [ -e "$state" ]; then
    [ -f "$state/.mlc-ui-state" ] || die "$state exists and is not a UI-test state folder; remove it or choose another MLC_UI_STATE"
    rm -rf -- "$state"
fi
mkdir -p "$state"/{home,config,data/kernels,runtime,root,labextensions,workspaces,settings}
touch "$state/.mlc-ui-state"
ln -s "$REPO/jupyterlab_ml_containers/labextension" "$state/labextensions/jupyterlab-ml-containers"

# A kernel of the user's that runs the host's Python, not the image's.
mkdir -p "$state/data/kernels/host-python"
cat >"$state/data/kernels/host-python/kernel.json" <<'JSON'
{
  "argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
  "display_name": "Host Python 3",
  "language": "python"
}
JSON

# No "get notified about Jupyter news?" toast over the page (as the demo and images set it).
appdir=$("$REPO/.venv/bin/jupyter" lab path | sed -n 's/^Application directory: *//p')
install -D -m 0644 "$REPO/images/shared/jupyterlab-overrides.json" \
    "$appdir/settings/overrides.d/jupyterlab-ml-containers.json"

export HOME="$state/home"
export JUPYTER_CONFIG_DIR="$state/config"
export JUPYTER_DATA_DIR="$state/data"
export JUPYTER_RUNTIME_DIR="$state/runtime"
export JUPYTER_PATH="$demo/share/jupyter"
export JUPYTER_PREFER_ENV_PATH=0
unset JUPYTER_CONFIG_PATH PYTHONPATH PYTHONHOME

# The server's log goes beside the state (kept after the run, replaced by the next).
log="$state.log"
echo "start-jupyter.sh: JupyterLab on port $MLC_UI_PORT, log in $log" >&2

cd "$state/root"
# Extra options (e.g. --ServerApp.terminals_enabled=False for the second server) pass through.
exec "$REPO/.venv/bin/jupyter-lab" --config "$HERE/jupyter_server_test_config.py" "$@" >"$log" 2>&1
