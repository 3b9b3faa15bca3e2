#!/usr/bin/env bash
# Make the second version of the demo image env, as an image rebuilt under
# the same tag: a copy of the first (scripts/make-demo-image.sh) with one
# package at another version (tqdm, pure Python, a small wheel from PyPI),
# then its manifest (a new build date) and kernels written again. The update
# notice and rebase tests put it in place of an env's base.
#
#   scripts/make-demo-image-update.sh SRC DEST [--force]
#
# Reuses DEST when a previous run completed from the same SRC build.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd -P)
die() { echo "make-demo-image-update.sh: error: $*" >&2; exit 2; }
src=${1:?usage: scripts/make-demo-image-update.sh SRC DEST [--force]}
dest=${2:?usage: scripts/make-demo-image-update.sh SRC DEST [--force]}
force=${3:-}
case "$src" in /*) ;; *) src="$REPO/$src" ;; esac
case "$dest" in /*) ;; *) dest="$REPO/$dest" ;; esac
MLC=(node "$REPO/jupyterlab_ml_containers/mlc/mlc.cjs")

[ -f "$src/.demo-image-ready" ] || die "no demo image at $src; run scripts/make-demo-image.sh $src"
# Ready and made from this very SRC build (its marker is older than ours).
if [ -f "$dest/.demo-image-ready" ] && [ "$dest/.demo-image-ready" -nt "$src/.demo-image-ready" ] && [ "$force" != "--force" ]; then
    echo "demo image update ready: $dest"
    exit 0
fi
# Only ever replace a demo image (ours) or nothing.
if [ -e "$dest" ] || [ -L "$dest" ]; then
    [ -d "$dest" ] && [ ! -L "$dest" ] && { [ -f "$dest/.demo-image-ready" ] || [ -f "$dest/.demo-image-update" ]; } \
        || die "$dest exists and is not a demo image; remove it or pick another DEST"
    rm -rf -- "$dest"
fi
cp -a -- "$src" "$dest"
rm -f -- "$dest/.demo-image-ready"
touch "$dest/.demo-image-update"

# Another tqdm than the first version's: a different version, same package.
current=$("$dest/bin/python3" -I -c 'import importlib.metadata as m; print(m.version("tqdm"))')
other=4.66.5
[ "$current" != "$other" ] || other=4.66.4
env -u PIP_TARGET -u PIP_PREFIX -u PIP_ROOT PIP_USER=0 PIP_REQUIRE_VIRTUALENV=0 \
    "$dest/bin/python3" -I -B -m pip install --no-deps --no-compile --no-input \
    --disable-pip-version-check --root-user-action=ignore --progress-bar off --quiet \
    "tqdm==$other"

# The manifest again under the same name and tag (an in-place rebuild).
name_tag=$("$dest/bin/python3" -I -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["name"]); print(d["tag"])' "$src/image.json")
name=$(sed -n 1p <<<"$name_tag")
tag=$(sed -n 2p <<<"$name_tag")
"${MLC[@]}" image manifest --prefix "$dest" --out-dir "$dest" --name "$name" --tag "$tag" \
    --flavour cpu --docker-path localhost/ml-demo >/dev/null
"${MLC[@]}" kernels install --prefix "$dest" --image "$dest/image.json" >/dev/null
touch "$dest/.demo-image-ready"
echo "demo image update ready: $dest (tqdm $current -> $other)"
