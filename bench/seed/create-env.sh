#!/usr/bin/env bash
# The seed's "Fast Way of Env Extension", env-creation half, re-enacted for
# the benchmark (our own code; the steps are the seed's):
#   1. an empty env at TARGET (the seed runs `micromamba env create -p`,
#      which leaves conda-meta/history; micromamba is not available here, so
#      this step is re-enacted by hand and costs less than the real one);
#   2. TARGET/baseEnv_dir -> BASE;
#   3. the symlink archive made at image-build time unpacked into TARGET;
#   4. pyvenv.cfg (home, include-system-site-packages, version from
#      `python3 --version`, as the seed computes it);
#   5. the re-entry script copied in (setupMe-on-host.sh).
# The seed's later `micromamba config` and `micromamba activate` are left out.
#
# Usage: create-env.sh TARGET BASE ARCHIVE SETUP_SCRIPT
set -euo pipefail

target=$1 base=$2 archive=$3 setup_script=$4

mkdir -p -- "$target/conda-meta"
: >"$target/conda-meta/history"
cd -- "$target"
ln -s -- "$base" baseEnv_dir
tar -xzf "$archive"
version=$("$base/bin/python3" --version | cut -d' ' -f2)
printf 'home = %s/bin\ninclude-system-site-packages = true\nversion = %s\n' "$base" "$version" >pyvenv.cfg
cp -p -- "$setup_script" .
