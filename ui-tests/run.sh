#!/usr/bin/env bash
# Run the UI tests end to end: build the extension if it is missing or older
# than its sources, make the demo image env if missing, pick a free port,
# then Playwright (which starts and stops JupyterLab itself).
#
#   ui-tests/run.sh [playwright test options...]   e.g. --reporter=list,json, -g "package"
#
# MLC_DEMO_IMAGE     the demo image env to use (default: build/demo-image)
# MLC_DEMO_IMAGE_V2  its second version (default: MLC_DEMO_IMAGE-v2, made by
#                    scripts/make-demo-image-update.sh)
# MLC_UI_SKIP_BUILD  set to 1 to test the labextension as it is built
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd -P)
REPO=$(dirname "$HERE")
cd "$REPO"
die() { echo "ui-tests/run.sh: error: $*" >&2; exit 2; }

[ -x /usr/bin/chromium ] || die "Debian's chromium is missing; install it (apt-get install chromium) or run scripts/setup.sh"
[ -x .venv/bin/jupyter-lab ] || die "no JupyterLab in .venv; run scripts/setup.sh"

# Rebuild when any source is newer than the built remoteEntry.
built=$(ls jupyterlab_ml_containers/labextension/static/remoteEntry.*.js 2>/dev/null | head -1 || true)
if [ "${MLC_UI_SKIP_BUILD:-}" = 1 ]; then
    [ -n "$built" ] || die "MLC_UI_SKIP_BUILD=1 but the labextension is not built"
elif [ -z "$built" ] || [ -n "$(find src style schema package.json -path src/cli -prune -o -newer "$built" -print -quit)" ]; then
    echo "ui-tests: building the labextension" >&2
    npm run --silent build:lib >&2
    PATH="$REPO/.venv/bin:$PATH" npm run --silent build:labextension >&2
fi

export MLC_DEMO_IMAGE=${MLC_DEMO_IMAGE:-$REPO/build/demo-image}
if [ ! -f "$MLC_DEMO_IMAGE/share/jupyter/kernels/python3/kernel.json" ]; then
    scripts/make-demo-image.sh "$MLC_DEMO_IMAGE" >&2
fi
# Its second version (another tqdm, a new build date, same tag), for the update badge and rebase.
export MLC_DEMO_IMAGE_V2=${MLC_DEMO_IMAGE_V2:-$MLC_DEMO_IMAGE-v2}
scripts/make-demo-image-update.sh "$MLC_DEMO_IMAGE" "$MLC_DEMO_IMAGE_V2" >&2

MLC_UI_PORT=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export MLC_UI_PORT
# The second server (terminals disabled) for envs.spec.ts.
MLC_UI_PORT_NO_TERMINALS=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export MLC_UI_PORT_NO_TERMINALS
# One state folder per run, so that two runs at once never share a server's files.
export MLC_UI_STATE=${MLC_UI_STATE:-$REPO/build/ui-tests-state-$$}
mkdir -p "$(dirname "$MLC_UI_STATE")"

# The states hold the servers' runtime files and scratch notebooks: nothing to
# keep. The servers' logs are kept when a test failed.
status=1
cleanup() {
    local state
    for state in "$MLC_UI_STATE" "$MLC_UI_STATE-no-terminals"; do
        if [ -f "$state/.mlc-ui-state" ]; then rm -rf -- "$state"; fi
        if [ "$status" -eq 0 ]; then rm -f -- "$state.log"; fi
    done
    if [ "$status" -ne 0 ]; then echo "ui-tests: the JupyterLab server logs are $MLC_UI_STATE*.log" >&2; fi
}
trap cleanup EXIT

cd "$HERE"
status=0
npx playwright test -c playwright.config.ts "$@" || status=$?
exit $status
