#!/usr/bin/env bash
# Make the built-in demo image env: what an ML image build does, on a local
# Python prefix instead of /opt/conda in a container.
#
#   scripts/make-demo-image.sh DEST [--force]
#
# 1. a relocatable CPython prefix with ipykernel and a few real packages from
#    PyPI (scripts/make-python-prefix.sh);
# 2. `mlc image manifest` writes DEST/list-of-pkgs-inside.txt and DEST/image.json;
# 3. `mlc kernels install` writes ML-Python3 and ML-Python3-usersite and the
#    JUPYTER_PATH entry points into DEST;
# 4. mlc itself goes into DEST as `pip install jupyterlab-ml-containers` puts
#    it into an image (bin/mlc, share/jupyterlab-ml-containers/mlc.cjs), so
#    extended envs layer over DEST and JupyterLab finds DEST/bin/mlc. The
#    bundle is linked, not copied, so a rebuild needs no new demo image.
# Reuses DEST when a previous run completed (DEST/.demo-image-ready).
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd -P)
dest=${1:?usage: scripts/make-demo-image.sh DEST [--force]}
force=${2:-}
case "$dest" in /*) ;; *) dest="$REPO/$dest" ;; esac

# Real packages a physicist's image carries, small enough for a quick demo.
DEMO_PACKAGES="ipykernel numpy pyyaml tqdm"
MLC=(node "$REPO/jupyterlab_ml_containers/mlc/mlc.cjs")

if [ -f "$dest/.demo-image-ready" ] && [ -x "$dest/bin/mlc" ] && [ "$force" != "--force" ]; then
    echo "demo image ready: $dest"
    exit 0
fi
scripts/make-python-prefix.sh "$dest" --packages "$DEMO_PACKAGES" --force
"${MLC[@]}" image manifest --prefix "$dest" --out-dir "$dest" \
    --name ml-demo --tag "local-python$("$dest"/bin/python3 -c 'import sys; print("%d%d" % sys.version_info[:2])')" \
    --flavour cpu --docker-path localhost/ml-demo >/dev/null
"${MLC[@]}" kernels install --prefix "$dest" --image "$dest/image.json" >/dev/null
install -m 755 "$REPO/jupyterlab_ml_containers/mlc/mlc" "$dest/bin/mlc"
mkdir -p "$dest/share/jupyterlab-ml-containers"
ln -sfn "$REPO/jupyterlab_ml_containers/mlc/mlc.cjs" "$dest/share/jupyterlab-ml-containers/mlc.cjs"
touch "$dest/.demo-image-ready"
echo "demo image ready: $dest"
