#!/usr/bin/env bash
# A one-node Slurm cluster on this machine from Debian's packages, for the
# hub tests and `demo.sh --hub`: munged (its own socket), slurmctld and
# slurmd on 127.0.0.1-reachable ports of their own, every state, spool, log
# and PID file under DIR. Needs root (slurmd starts jobs as their users).
#
#   scripts/hub/cluster.sh start DIR CTLD_PORT SLURMD_PORT
#   scripts/hub/cluster.sh stop DIR
#
# `start` first stops what a previous run left in DIR (by its PID files), so
# a second run starts clean. Clients use SLURM_CONF=DIR/slurm.conf.
# Settings that work on these machines: see shared/MACHINE-NOTES.md.
set -euo pipefail

action=${1:?usage: cluster.sh start|stop DIR [CTLD_PORT SLURMD_PORT]}
dir=${2:?usage: cluster.sh start|stop DIR [CTLD_PORT SLURMD_PORT]}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)

die() { echo "cluster: error: $*" >&2; exit 1; }

# Stop one daemon by its PID file, only if that PID still runs the program named.
stop_pidfile() {
    local file=$1 program=$2 pid
    [ -f "$file" ] || return 0
    pid=$(cat "$file" 2>/dev/null || true)
    if [[ $pid =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$program" ]; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do [ -e "/proc/$pid" ] || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

stop_all() {
    # Jobs first, while slurmctld can still cancel them.
    if [ -f "$dir/slurm.conf" ] && [ -f "$dir/run/slurmctld.pid" ]; then
        SLURM_CONF="$dir/slurm.conf" timeout 10 scancel --full --quiet --user=ALL 2>/dev/null || \
            SLURM_CONF="$dir/slurm.conf" timeout 10 scancel --quiet $(SLURM_CONF="$dir/slurm.conf" timeout 5 squeue -h -o %i 2>/dev/null) 2>/dev/null || true
    fi
    stop_pidfile "$dir/run/slurmd.pid" slurmd
    stop_pidfile "$dir/run/slurmctld.pid" slurmctld
    stop_pidfile "$dir/munge/munged.pid" munged
}

case "$action" in
stop)
    stop_all
    exit 0
    ;;
start) ;;
*) die "unknown action '$action'; use start or stop" ;;
esac

ctld_port=${3:?cluster.sh start needs CTLD_PORT}
slurmd_port=${4:?cluster.sh start needs SLURMD_PORT}
[ "$(id -u)" -eq 0 ] || die "the cluster needs root (slurmd starts jobs as their users); run as root"
command -v slurmctld >/dev/null && command -v munged >/dev/null || die "slurm-wlm and munge are not installed; run scripts/setup.sh"
[ -f /etc/munge/munge.key ] || die "/etc/munge/munge.key is missing; reinstall munge (apt-get install --reinstall munge)"

stop_all
rm -rf "$dir/state" "$dir/spool" "$dir/log" "$dir/run" "$dir/munge"
mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/run" "$dir/munge"
chmod 755 "$dir"
chown munge: "$dir/munge"; chmod 755 "$dir/munge"

runuser -u munge -- munged --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" --key-file=/etc/munge/munge.key
for _ in $(seq 1 50); do [ -S "$dir/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$dir/munge/munge.socket" ] || die "munged did not start (see $dir/munge/munged.log)"

host=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
cat > "$dir/slurm.conf" <<CONF
ClusterName=mlchub
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/slurmd-%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=15
MinJobAge=60
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:8
CONF
chmod 644 "$dir/slurm.conf"

slurmctld -f "$dir/slurm.conf"
slurmd -f "$dir/slurm.conf"
export SLURM_CONF="$dir/slurm.conf"
for _ in $(seq 1 150); do
    state=$(timeout 5 sinfo -h -N -o %t 2>/dev/null | head -1 || true)
    case "$state" in idle*|mix*|alloc*) echo "cluster ready: SLURM_CONF=$dir/slurm.conf"; exit 0 ;; esac
    sleep 0.2
done
die "the node did not become idle in 30 s (see $dir/log/slurmctld.log and slurmd.log)"
