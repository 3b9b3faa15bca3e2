#!/usr/bin/env bash
# Build a real container image the way an ML image recipe would use mlc:
# a Debian base made by mmdebstrap from Debian's packages (with Node.js for
# mlc), an image env at /opt/conda copied from a local prefix, then
# `mlc image manifest`, `mlc kernels install` and `mlc env install-scripts`
# (the seed's /create-newEnv-on-base.sh) run INSIDE the build, and the
# Dockerfile ENV line printed by `mlc kernels env --format docker`.
#
#   scripts/make-container-image.sh PREFIX IMAGE
#
# Podman from Debian, with runc (crun fails on these machines) and explicit
# ulimits: see ../shared/MACHINE-NOTES.md.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd -P)
prefix=${1:?usage: scripts/make-container-image.sh PREFIX IMAGE}
image=${2:?usage: scripts/make-container-image.sh PREFIX IMAGE}
BASE_IMAGE=localhost/mlc-debian:bookworm
PODMAN=(podman --runtime runc)
LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

[ -x "$prefix/bin/python3" ] || { echo "make-container-image: error: $prefix has no bin/python3; make it with scripts/make-python-prefix.sh" >&2; exit 2; }
command -v podman >/dev/null || { echo "make-container-image: error: podman is not installed; run scripts/setup.sh" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! "${PODMAN[@]}" image exists "$BASE_IMAGE"; then
    mmdebstrap --quiet --variant=minbase --include=nodejs,zsh,tcsh bookworm "$work/base.tar"
    "${PODMAN[@]}" import --quiet "$work/base.tar" "$BASE_IMAGE" >/dev/null
    rm -f "$work/base.tar"
fi

python=$(basename "$(readlink -f "$prefix/bin/python3")")
cp -a "$prefix" "$work/opt-conda"
# The builder's COPY keeps a file's mtime in whole seconds, rounded, while a
# .pyc records its source's mtime truncated: about half the .pyc of a prefix
# made on the host would not match in the image, and every container start
# would compile those modules again (about 3 s for a Dask worker's imports).
# Whole seconds go through the COPY unchanged.
"$prefix/bin/python3" -I -B - "$work/opt-conda" <<'PYTHON'
import os, sys
SECOND = 1000000000
for root, dirs, files in os.walk(sys.argv[1]):
    for name in dirs + files:
        path = os.path.join(root, name)
        st = os.lstat(path)
        if st.st_mtime_ns % SECOND or st.st_atime_ns % SECOND:
            os.utime(path, ns=(st.st_atime_ns // SECOND * SECOND, st.st_mtime_ns // SECOND * SECOND), follow_symlinks=False)
PYTHON
cp "$REPO/jupyterlab_ml_containers/mlc/mlc.cjs" "$REPO/jupyterlab_ml_containers/mlc/mlc" "$work/"
env_line=$(node "$REPO/jupyterlab_ml_containers/mlc/mlc.cjs" kernels env --prefix /opt/conda --format docker)

cat > "$work/Containerfile" <<CONTAINERFILE
FROM $BASE_IMAGE
COPY opt-conda /opt/conda
COPY mlc.cjs /opt/conda/share/jupyterlab-ml-containers/mlc.cjs
COPY mlc /opt/conda/bin/mlc
ENV PATH=/opt/conda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# pip wrote console-script shebangs for the prefix's path on the host:
# relocate them to /opt/conda, as conda does for the packages it links.
RUN for f in /opt/conda/bin/*; do \\
      if [ -f "\$f" ] && [ ! -L "\$f" ] && head -c 2 "\$f" | grep -q '^#!'; then \\
        sed -i '1s|^#!.*/bin/python[0-9.]*|#!/opt/conda/bin/$python|' "\$f"; fi; done
RUN mlc image manifest --prefix /opt/conda --out-dir / --name ml-test --tag bookworm-${python/./} --flavour cpu
# Apptainer keeps the environment files of a converted image here.
RUN mkdir -p /.singularity.d/env && mlc kernels install --prefix /opt/conda --image /image.json --apptainer-env-dir /.singularity.d/env
RUN mlc env install-scripts --dir / --base /opt/conda
$env_line
CONTAINERFILE

# --no-cache: the layer cache keys COPY by content without mtimes, and would
# give back a layer whose .pyc do not match.
"${PODMAN[@]}" build --quiet --no-cache "${LIMITS[@]}" --network none -t "$image" -f "$work/Containerfile" "$work" >/dev/null
echo "container image ready: $image"
