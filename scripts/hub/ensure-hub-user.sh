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
uid=$(id -u "$USER_NAME")
if ! grep -q "^$USER_NAME:" /etc/subuid 2>/dev/null || ! grep -q "^$USER_NAME:" /etc/subgid 2>/dev/null; then
    usermod --add-subuids "$SUBIDS" --add-subgids "$SUBIDS" "$USER_NAME"
    (cd / && runuser -u "$USER_NAME" -- env HOME="$HOME_DIR" podman system migrate >/dev/null 2>&1) || true
fi

# This machine's podman settings, found by jobs whose HOME is elsewhere
# through XDG_CONFIG_HOME=HOME_DIR/.config: runc
# and explicit ulimits (crun fails here), and native overlay storage (vfs,
# podman's choice without fuse-overlayfs, copies the image per container).
conf_dir=$HOME_DIR/.config/containers
install -d -m 755 -o "$USER_NAME" -g "$USER_NAME" "$HOME_DIR/.config" "$conf_dir"
cat > "$conf_dir/containers.conf.new" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
CONF
cat > "$conf_dir/storage.conf.new" <<CONF
[storage]
driver = "overlay"
graphroot = "$HOME_DIR/.local/share/containers/storage"
runroot = "/tmp/podman-run-$uid/containers"
CONF
for name in containers.conf storage.conf; do
    if cmp -s "$conf_dir/$name.new" "$conf_dir/$name"; then
        rm -f "$conf_dir/$name.new"
    else
        chown "$USER_NAME:" "$conf_dir/$name.new"; chmod 644 "$conf_dir/$name.new"
        mv -f "$conf_dir/$name.new" "$conf_dir/$name"
    fi
done
driver=$(cd / && runuser -u "$USER_NAME" -- env HOME="$HOME_DIR" podman info --format '{{.Store.GraphDriverName}}' 2>/dev/null || true)
if [ "$driver" != overlay ]; then
    # Storage made with another driver: start it again (only this user's images).
    (cd / && runuser -u "$USER_NAME" -- env HOME="$HOME_DIR" podman system reset -f >/dev/null 2>&1) || true
fi
echo "$uid"
