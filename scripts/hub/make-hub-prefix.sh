#!/usr/bin/env bash
# The image env of the hub tests: what an ML image carries for the facility
# hubs. A relocatable CPython prefix (scripts/make-python-prefix.sh) with
# ipykernel, JupyterLab, jupyterhub (its jupyterhub-singleuser) and
# batchspawner (its batchspawner-singleuser), then this project's wheel
# installed by pip as an image recipe would, then `mlc image manifest` and
# `mlc kernels install` run on it.
#
#   scripts/hub/make-hub-prefix.sh DEST
#
# Versions come from requirements-hub.txt. Reuses DEST when the same recipe
# and the same wheel made it (DEST.ready holds their checksum).
set -euo pipefail

cd "$(dirname "$0")/../.."
REPO=$(pwd -P)
dest=${1:?usage: scripts/hub/make-hub-prefix.sh DEST}
case "$dest" in /*) ;; *) dest="$REPO/$dest" ;; esac
MLC=(node "$REPO/jupyterlab_ml_containers/mlc/mlc.cjs")

[ -f "$REPO/jupyterlab_ml_containers/labextension/package.json" ] ||
    { echo "make-hub-prefix: error: the labextension is not built; run 'npm run build' first" >&2; exit 2; }

wheels="$REPO/build/hub/wheels"
rm -rf "$wheels"; mkdir -p "$wheels"
# The project's wheel, as `pip install jupyterlab-ml-containers` gets it.
"$REPO/.venv/bin/python" -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation -w "$wheels" "$REPO" >/dev/null
wheel=$(ls "$wheels"/jupyterlab_ml_containers-*.whl)

stamp=$(cat "$0" "$REPO/requirements-hub.txt" "$REPO/scripts/make-python-prefix.sh" "$REPO/jupyterlab_ml_containers/mlc/mlc.cjs" \
    "$REPO/jupyterlab_ml_containers/labextension/package.json" | sha256sum | cut -d' ' -f1)
if [ -f "$dest.ready" ] && [ "$(cat "$dest.ready")" = "$stamp" ] && [ -x "$dest/bin/mlc" ]; then
    echo "hub prefix ready: $dest"
    exit 0
fi
rm -f "$dest.ready"
packages=$(grep -v '^\s*#' "$REPO/requirements-hub.txt" | grep -v '^\s*$' | tr '\n' ' ')
scripts/make-python-prefix.sh "$dest" --packages "ipykernel==7.4.0 $packages" --force >/dev/null
# jupyter_server's session store needs sqlite3, whose library the minimal
# image lacks: ship it in the prefix, as conda's sqlite package does
# (make-python-prefix.sh gave the extension module an $ORIGIN RUNPATH).
sqlite_module=$(ls "$dest"/lib/python3.*/lib-dynload/_sqlite3*.so)
sqlite_lib=$(ldd "$sqlite_module" | awk '/libsqlite3/ { print $3 }')
[ -f "$sqlite_lib" ] || { echo "make-hub-prefix: error: no libsqlite3 found for $sqlite_module; install libsqlite3-0" >&2; exit 1; }
install -m 644 "$sqlite_lib" "$dest/lib/$(basename "$sqlite_lib")"
"$dest/bin/python3" -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps "$wheel"
"${MLC[@]}" image manifest --prefix "$dest" --out-dir "$dest" --name ml-hub-test \
    --tag "python$("$dest"/bin/python3 -c 'import sys; print("%d%d" % sys.version_info[:2])')" --flavour cpu >/dev/null
"${MLC[@]}" kernels install --prefix "$dest" --image "$dest/image.json" >/dev/null
chmod -R a+rX "$dest"
echo "$stamp" > "$dest.ready"
echo "hub prefix ready: $dest"
