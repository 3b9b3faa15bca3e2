#!/usr/bin/env bash
# run-ml_container.sh: the seed's command names, kept for its users, mapped
# one to one onto `mlc` (installed beside this script). No logic lives here:
# every check and every action is mlc's.
#
#   run-ml_container.sh listImages            -> mlc images
#   run-ml_container.sh listPackages IMAGE    -> mlc packages IMAGE
#   run-ml_container.sh printImageInfo IMAGE  -> mlc info IMAGE   (also getImageInfo)
#   run-ml_container.sh printPullLimit        -> mlc pull-limit
#   run-ml_container.sh printMe               -> mlc status
#   run-ml_container.sh update [-f]           -> mlc update [-f]
#   run-ml_container.sh jupyter [--port N]    -> mlc jupyter [--port N]
#   run-ml_container.sh [setup] [--podman|--docker|--nerdctl|--apptainer|--singularity|--sing] [-f] [-B SRC[:DST]] IMAGE
#                                             -> mlc setup ...
#   run-ml_container.sh  (or --rerun)         -> mlc enter
#
# Works sourced (`source run-ml_container.sh ...`, as the seed was used) or
# run; it never execs, so a sourced call leaves the user's shell alone.
#
# Which mlc: $MLC if set; else the mlc beside this script (pip installs both
# into the same bin/, which need not be on PATH: a venv run by path without
# activating it), following links to the script by hand because
# `readlink -f` is not portable; else mlc from PATH.

# The directory of the real file behind $1, following at most 40 links.
_mlc_seed_home() {
    local file=$1 link hops=0
    while [ -L "$file" ] && [ "$hops" -lt 40 ]; do
        link=$(readlink -- "$file") || break
        case "$link" in
            /*) file=$link ;;
            *) file=$(dirname -- "$file")/$link ;;
        esac
        hops=$((hops + 1))
    done
    dirname -- "$file"
}

_mlc_seed_mlc() {
    local home
    if [ -n "${MLC-}" ]; then
        printf '%s\n' "$MLC"
        return 0
    fi
    home=$(_mlc_seed_home "${BASH_SOURCE[0]}")
    if [ -f "$home/mlc" ] && [ -x "$home/mlc" ]; then
        printf '%s\n' "$home/mlc"
        return 0
    fi
    command -v mlc
}

_mlc_seed() {
    local verb=setup
    case "${1-}" in
        '' | --rerun) verb=enter; [ $# -gt 0 ] && shift ;;
        listImages) verb=images; shift ;;
        listPackages) verb=packages; shift ;;
        printImageInfo | getImageInfo) verb=info; shift ;;
        printPullLimit) verb=pull-limit; shift ;;
        printMe) verb=status; shift ;;
        update) verb=update; shift ;;
        jupyter) verb=jupyter; shift ;;
        setup) shift ;;
        -h | --help) verb=--help; shift ;;
    esac
    local args=() arg
    for arg in "$@"; do
        case "$arg" in
            --sing) args+=(--singularity) ;;
            *) args+=("$arg") ;;
        esac
    done
    local mlc
    if ! mlc=$(_mlc_seed_mlc); then
        echo 'run-ml_container.sh: mlc not found beside this script or on PATH; install it with: pip install jupyterlab-ml-containers' >&2
        return 127
    fi
    "$mlc" "$verb" "${args[@]}"
}

_mlc_seed "$@"
