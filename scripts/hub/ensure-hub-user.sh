#!/usr/bin/env bash
# The unprivileged user the hub tests log in as and run Slurm jobs and
# rootless podman as (a physicist on a facility hub). Its own account, so
# that its podman storage and home never mix with the integration tests'
# mlc-tester. Rootless podman needs subordinate ids, uidmap, slirp4netns
# and `podman system migrate` (shared/MACHINE-NOTES.md).
#
#   scripts/hub/ensure-hub-user.sh     (as root; idempotent; prints the uid)
set -euo pipefail

USER_NAME=mlc-hub
HOME_DIR=/home/$USER_NAME
SUBIDS=300000-365535

die() { echo "ensure-hub-user: error: $*" >&2; exit 1; }

if ! id -u "$USER_NAME" >/dev/null 2>&1; then
    ((EUID == 0)) || die "user $USER_NAME does not exist and only root can create it; run as root"
    useradd --system --user-group --create-home --home-dir "$HOME_DIR" --shell /bin/bash \
        --comment "jupyterlab-ml-containers hub test user" "$USER_NAME" 2>/dev/null ||
        id -u "$USER_NAME" >/dev/null 2>&1 || die "useradd could not create user $USER_NAME"
fi
if [ ! -d "$HOME_DIR" ]; then
    install -d -m 755 -o "$USER_NAME" -g "$USER_NAME" "$HOME_DIR"
fi
if ! grep -q "^$USER_NAME:" /etc/subuid 2>/dev/null || ! grep -q "^$USER_NAME:" /etc/subgid 2>/dev/null; then
    usermod --add-subuids "$SUBIDS" --add-subgids "$SUBIDS" "$USER_NAME"
    (cd / && runuser -u "$USER_NAME" -- podman system migrate >/dev/null 2>&1) || true
fi
id -u "$USER_NAME"
