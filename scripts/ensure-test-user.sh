#!/usr/bin/env bash
# ensure-test-user.sh - make sure the unprivileged test user exists; print its uid.
#
# Usage: scripts/ensure-test-user.sh        (as root, or via sudo, the first time)
#
# Tests run `mlc` as this user against a root-owned base prefix it cannot
# write, as on CVMFS. The user is a system account (no password, no ageing)
# with bash and its own home, /home/mlc-tester, so that tools which write under
# $HOME (pip's cache, ~/.local, Jupyter's runtime dir) behave as for a physicist.
# Running it again changes nothing and prints the same uid.
set -euo pipefail

USER_NAME=mlc-tester
HOME_DIR=/home/$USER_NAME
PROG=${0##*/}

die() { echo "$PROG: error: $*" >&2; exit 1; }

create_user() {
  ((EUID == 0)) || die "user $USER_NAME does not exist and only root can create it; run: sudo $0"
  command -v useradd >/dev/null || die "useradd is missing; install the passwd package"
  # A concurrent run may create the user first: that is success too.
  useradd --system --user-group --create-home --home-dir "$HOME_DIR" --shell /bin/bash \
    --comment "jupyterlab-ml-containers test user" "$USER_NAME" 2>/dev/null ||
    id -u "$USER_NAME" >/dev/null 2>&1 || die "useradd could not create user $USER_NAME"
}

# An existing user whose home was removed (e.g. a cleaned CI runner) gets it back.
ensure_home() {
  local home
  home=$(getent passwd "$USER_NAME" | cut -d: -f6)
  [[ -d $home ]] && return 0
  ((EUID == 0)) || die "the home directory $home of $USER_NAME is missing and only root can create it; run: sudo $0"
  mkdir -p -- "$home"
  chown "$USER_NAME:$(id -gn "$USER_NAME")" "$home"
  chmod 755 "$home"
}

id -u "$USER_NAME" >/dev/null 2>&1 || create_user
ensure_home
id -u "$USER_NAME"
