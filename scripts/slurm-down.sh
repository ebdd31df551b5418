#!/usr/bin/env bash
# Takes down the cluster scripts/slurm-up.sh brought up: cancels its jobs, stops slurmd and slurmctld by
# their pid files, and munged only if slurm-up.sh started it. Safe to run twice or when nothing is up.
set -uo pipefail

dir=${SPROUT_SLURM_DIR:-/tmp/sprout-slurm}
export SLURM_CONF="$dir/slurm.conf"
say() { echo "slurm-down: $*" >&2; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Stops the process in a pid file: SIGTERM, then SIGKILL after 10 s.
stop() {
  local file=$1 pid
  alive "$file" || { rm -f "$file"; return 0; }
  pid=$(cat "$file")
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    say "$(basename "$file" .pid) ($pid) ignored SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$file"
}

if alive "$dir/run/slurmctld.pid"; then
  # Jobs first, so no job step outlives its slurmd.
  scancel --full --quiet --user="$(id -un)" 2>/dev/null
  for _ in $(seq 100); do
    [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
    sleep 0.2
  done
fi
stop "$dir/run/slurmd.pid"
stop "$dir/run/slurmctld.pid"
if [ -f "$dir/run/munged.ours" ]; then
  stop "$dir/run/munged.pid"
  rm -f "$dir/run/munged.ours"
fi
say "down"
exit 0
