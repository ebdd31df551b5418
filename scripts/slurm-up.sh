#!/usr/bin/env bash
# Brings up a single-node Slurm cluster on localhost from Debian's packages, for the Slurm tests
# (`make test-slurm`) and for trying `sprout submit` on one machine. Needs root.
#
#   scripts/slurm-up.sh            install what is missing, write the configuration, start the daemons
#   eval "$(scripts/slurm-up.sh --env)"   the same, then export SLURM_CONF into this shell
#   scripts/slurm-down.sh          stop everything this script started
#
# Everything lives under $SPROUT_SLURM_DIR (default /tmp/sprout-slurm): slurm.conf, state, spool, logs, pid
# files. /etc/slurm is not touched and the ports are not Slurm's defaults, so a real Slurm on the machine is
# left alone; clients find this cluster through SLURM_CONF=$SPROUT_SLURM_DIR/slurm.conf.
# No systemd, no cgroups, no accounting database; the comment beside each setting below says why it is set.
set -euo pipefail

dir=${SPROUT_SLURM_DIR:-/tmp/sprout-slurm}
ctld_port=${SPROUT_SLURM_PORT:-16817}
slots=${SPROUT_SLURM_CPUS:-8}
print_env=0
[ "${1:-}" = "--env" ] && print_env=1

say() { echo "slurm-up: $*" >&2; }
die() { say "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (it installs packages and starts munged, slurmctld and slurmd)"

# Packages: 8 small ones with --no-install-recommends (plain slurm-wlm pulls 43).
need=""
for tool in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${tool%%:*}" ] || need="$need ${tool#*:}"
done
if [ -n "$need" ]; then
  say "installing$need"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

if [ -f "$dir/run/slurmctld.pid" ] && kill -0 "$(cat "$dir/run/slurmctld.pid")" 2>/dev/null; then
  die "a cluster from $dir is already up (scripts/slurm-down.sh stops it)"
fi

# munge: the package makes the key; without systemd nobody creates /run/munge or starts the daemon.
mkdir -p "$dir/run"
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  say "munged already running; using it"
else
  install -d -o munge -g munge -m 0755 /run/munge
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null || die "munged does not answer"
  # Remember that this script started it, so slurm-down.sh stops this one and no other.
  cp /run/munge/munged.pid "$dir/run/munged.pid"
  touch "$dir/run/munged.ours"
fi

rm -rf "$dir/state" "$dir/spool"
install -d -o slurm -g slurm "$dir/state" "$dir/log"
install -d "$dir/spool"
chown slurm:slurm "$dir/run"

# The node's memory, a little below what slurmd measures (a node claiming more than it has drains).
memory=$(/usr/sbin/slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
memory=$((memory * 9 / 10))

cat >"$dir/slurm.conf" <<EOF
# Written by sprout's scripts/slurm-up.sh: a single-node cluster on localhost for tests.
ClusterName=sprout
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$((ctld_port + 1))
SlurmUser=slurm
AuthType=auth/munge
# A requeued job may start again after the credential lifetime (default 120 s); tests requeue on purpose.
AuthInfo=cred_expire=5
CredType=cred/munge
# Nothing touches cgroups or needs systemd.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No database: squeue and scontrol show what is pending or running; finished jobs are forgotten after MinJobAge.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.log
# Schedule at once (the default waits ~3 s per wave; a requeued job waits for the next pass, 60 s apart by
# default), and cancel jobs whose dependency can never be met
# instead of leaving them pending forever (the same word under SchedulerParameters is ignored in 22.05).
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_interval=2,bf_interval=2
DependencyParameters=kill_invalid_depend
# Large arrays: a 10,000-task wave is one array (the default MaxArraySize is 1001); finished and cancelled
# elements stay in the controller for MinJobAge, each counting against MaxJobCount.
MaxArraySize=20001
MaxJobCount=200000
# Short waits so tests of SIGTERM, cancellation and requeue do not idle.
KillWait=10
MinJobAge=300
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# More job slots than cores needs config_overrides, or the node drains as INVAL.
SlurmdParameters=config_overrides
NodeName=localhost CPUs=$slots RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
chmod 0644 "$dir/slurm.conf"
export SLURM_CONF="$dir/slurm.conf"

# -c: a clean controller state (no jobs or drain reasons from an earlier cluster).
/usr/sbin/slurmctld -c -f "$SLURM_CONF"
/usr/sbin/slurmd -c -N localhost -f "$SLURM_CONF"

for _ in $(seq 150); do
  state=$(sinfo -h -N -n localhost -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
if [ "$state" != idle ]; then
  say "the node did not become idle (state '${state:-none}'); last log lines:"
  tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
  exit 1
fi
say "up: node localhost idle with $slots slots; SLURM_CONF=$SLURM_CONF"
[ "$print_env" = 1 ] && echo "export SLURM_CONF=$SLURM_CONF"
exit 0
