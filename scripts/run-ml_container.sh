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
    "${MLC:-mlc}" "$verb" "${args[@]}"
}

_mlc_seed "$@"
