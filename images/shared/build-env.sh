#!/usr/bin/env bash
# The steps every image recipe (images/*/Containerfile) shares, run inside
# the build with the staged build context bound at /ctx:
#
#   build-env.sh system-packages [RPM...]   dnf packages (AlmaLinux 9)
#   build-env.sh env IMAGE                  the image env at /opt/conda
#   build-env.sh mlc IMAGE cpu|gpu [--pyroot]
#                                           mlc, the repairs, manifest, kernels,
#                                           create-newEnv-on-base.sh, banner
#
# Build arguments read from the environment: PyVer (3.9, 3.11, 3.12),
# PKG_SOURCE (conda-forge, or local: the prefix staged in /ctx/local-prefix
# and wheels in /ctx/local-wheels, for machines without conda-forge),
# MICROMAMBA_VERSION, MICROMAMBA_SHA256, IMAGE_TAG, DOCKER_PATH.
set -euo pipefail

CTX=/ctx
PREFIX=/opt/conda

die() {
    echo "build-env: error: $*" >&2
    exit 2
}

check_python_version() {
    case "${PyVer:-}" in
    3.9 | 3.11 | 3.12) ;;
    *) die "PyVer='${PyVer:-}' is not supported; pass --build-arg PyVer=3.9, 3.11 (the default) or 3.12" ;;
    esac
}

check_source() {
    case "${PKG_SOURCE:-}" in
    conda-forge | local) ;;
    *) die "PKG_SOURCE='${PKG_SOURCE:-}' is not supported; use conda-forge (the default) or local" ;;
    esac
}

system_packages() {
    check_source
    if [ "$PKG_SOURCE" = local ]; then
        echo "build-env: PKG_SOURCE=local: the base image's system packages only (not installing: bzip2 which $*)"
        return
    fi
    command -v dnf >/dev/null || die "no dnf in the base image; the recipes expect AlmaLinux 9"
    dnf install -y --setopt=install_weak_deps=False --nodocs bzip2 which findutils "$@"
    dnf clean all
    rm -rf /var/cache/dnf
}

install_micromamba() {
    local url="https://github.com/mamba-org/micromamba-releases/releases/download/${MICROMAMBA_VERSION}/micromamba-linux-64"
    [ "$(uname -m)" = x86_64 ] || die "the pinned micromamba checksum is for x86_64, not $(uname -m)"
    curl --fail --location --silent --show-error --retry 3 --output /usr/local/bin/micromamba "$url"
    echo "${MICROMAMBA_SHA256}  /usr/local/bin/micromamba" | sha256sum --check --strict - ||
        { rm -f /usr/local/bin/micromamba; die "micromamba ${MICROMAMBA_VERSION} does not match MICROMAMBA_SHA256"; }
    chmod 0755 /usr/local/bin/micromamba
}

# Move micromamba (FROM) into the env prefix as a real file, where mlc looks
# for the image's conda installer (<prefix>/bin only: it follows no link out
# of the prefix, so /usr/local/bin is never searched), and leave FROM a link
# to it for users who call it by that path.
keep_micromamba_in_prefix() {
    local from=$1 prefix=$2
    [ -f "$from" ] && [ ! -L "$from" ] || die "no micromamba at $from to move into $prefix/bin"
    mv -f "$from" "$prefix/bin/micromamba"
    chmod 0755 "$prefix/bin/micromamba"
    ln -s "$prefix/bin/micromamba" "$from"
}

# The specs of IMAGE: ml-base's, then the image's own (comments and blanks dropped).
package_specs() {
    local image=$1 file
    for file in "$CTX/shared/packages/ml-base.txt" "$CTX/shared/packages/$image.txt"; do
        [ -f "$file" ] || die "no package list $file for image '$image'"
        sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$file"
    done | awk '!seen[$0]++'
}

install_env() {
    local image=$1
    check_python_version
    check_source
    if [ "$PKG_SOURCE" = conda-forge ]; then
        install_micromamba
        mapfile -t specs < <(package_specs "$image")
        MAMBA_ROOT_PREFIX=$PREFIX micromamba create --yes --prefix "$PREFIX" \
            --channel conda-forge --override-channels "python=${PyVer}" "${specs[@]}"
        micromamba clean --all --yes
        keep_micromamba_in_prefix /usr/local/bin/micromamba "$PREFIX"
        return
    fi
    # local: a prefix staged by the maintainer's script stands in for conda-forge.
    [ -x "$CTX/local-prefix/bin/python3" ] || die "PKG_SOURCE=local but the context has no local-prefix/bin/python3"
    local version
    version=$("$CTX/local-prefix/bin/python3" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    [ "$version" = "$PyVer" ] || die "the local prefix has Python $version, not PyVer=$PyVer"
    mkdir -p "$PREFIX"
    cp -a "$CTX/local-prefix/." "$PREFIX/"
    # pip wrote console-script shebangs for where the prefix was on the host.
    local file
    for file in "$PREFIX"/bin/*; do
        if [ -f "$file" ] && [ ! -L "$file" ] && head -c 2 "$file" | grep -q '^#!'; then
            sed -i "1s|^#!.*/bin/python[0-9.]*\$|#!$PREFIX/bin/python$version|" "$file"
        fi
    done
    if compgen -G "$CTX/local-wheels/*.whl" >/dev/null; then
        "$PREFIX/bin/python3" -m pip install --no-index --no-cache-dir --find-links "$CTX/local-wheels" "$CTX"/local-wheels/*.whl
    fi
}

install_mlc() {
    local wheel
    wheel=$(compgen -G "$CTX/dist/*.whl" | head -n 1 || true)
    if [ -n "$wheel" ]; then
        # The project's wheel: the JupyterLab extension, mlc and its Node.js runtime.
        "$PREFIX/bin/python3" -m pip install --no-cache-dir "$wheel"
    elif [ -f "$CTX/dist/mlc.cjs" ]; then
        # mlc alone (the bundle and its launcher), Node.js from the base image.
        install -D -m 0644 "$CTX/dist/mlc.cjs" "$PREFIX/share/jupyterlab-ml-containers/mlc.cjs"
        install -D -m 0755 "$CTX/dist/mlc" "$PREFIX/bin/mlc"
    else
        die "the context has neither dist/*.whl nor dist/mlc.cjs; build with scripts/build-image.sh"
    fi
}

mlc_steps() {
    local image=$1 flavour=$2 pyroot=${3:-}
    install_mlc
    if [ "$pyroot" = --pyroot ]; then
        # The seed's two sed repairs of ROOT from conda-forge, done by parsing the files.
        mlc image fix-rpath --prefix "$PREFIX"
        mlc image fix-root-config --prefix "$PREFIX"
    fi
    mlc image manifest --prefix "$PREFIX" --out-dir / --name "$image" --tag "${IMAGE_TAG:?}" \
        --flavour "$flavour" ${DOCKER_PATH:+--docker-path "$DOCKER_PATH"}
    mkdir -p /.singularity.d/env
    mlc kernels install --prefix "$PREFIX" --image /image.json --apptainer-env-dir /.singularity.d/env
    mlc image banner --prefix "$PREFIX" --image /image.json --apptainer-env-dir /.singularity.d/env
    # JupyterLab's defaults for every user of the image: no "get notified about
    # official Jupyter news?" prompt at first start (hub users cannot act on it)
    # and no update check (the image is updated by its maintainers).
    install -D -m 0644 "$CTX/shared/jupyterlab-overrides.json" \
        "$PREFIX/share/jupyter/lab/settings/overrides.d/jupyterlab-ml-containers.json"
    # Last of the steps that write into the base: the env plan records the
    # base's directories as they are now, and a later write makes it stale.
    mlc env install-scripts --dir / --base "$PREFIX" --plan
}

step=${1:-}
[ $# -gt 0 ] && shift
case "$step" in
system-packages) system_packages "$@" ;;
env) install_env "${1:?usage: build-env.sh env IMAGE}" ;;
mlc) mlc_steps "${1:?usage: build-env.sh mlc IMAGE cpu|gpu [--pyroot]}" "${2:?cpu or gpu}" "${3:-}" ;;
*) die "unknown step '$step'; use system-packages, env or mlc" ;;
esac
