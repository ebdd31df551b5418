#!/usr/bin/env bash
# Measures `sprout submit` on the single-node Slurm of scripts/slurm-up.sh (needs root): the wall time of
# submitting a 10,000-task plan (5,000 trials x train + evaluate; the jobs are held and cancelled, never run)
# and of quickstart through Slurm (submit --wait) next to a local `sprout run`. Median of $ROUNDS rounds.
#
#   bench/slurm/run.sh [path/to/sprout]      (default: the release build, built first)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${1:-}" ]; then swift build -c release --static-swift-stdlib --product sprout >/dev/null; fi
sprout=$(realpath "${1:-.build/release/sprout}")
rounds=${ROUNDS:-5}
export SPROUT_SLURM_DIR=${SPROUT_SLURM_DIR:-/tmp/sprout-slurm-bench}
work=$(mktemp -d /tmp/sprout-slurm-bench-XXXXXX)
trap 'scripts/slurm-down.sh; rm -rf "$work"' EXIT
scripts/slurm-up.sh
export SLURM_CONF=$SPROUT_SLURM_DIR/slurm.conf

seeds=$(seq -s, 0 99 | sed 's/,/, /g')
widths=$(seq -s, 1 50 | sed 's/,/, /g')
cat >"$work/big.yaml" <<EOF
sprout: 1
name: big
seed: 1
matrix:
  seed: [$seeds]
  width: [$widths]
datasets:
  teacher: {kind: teacher_student, inputs: 4, outputs: 1, samples: 64, split: {train: 0.75, test: 0.25}}
models:
  net: {input: 4, layers: [{dense: "\${matrix.width}"}, relu, {dense: 1}]}
initializers:
  he: {kind: kaiming_normal, nonlinearity: relu}
stages:
  train:
    kind: train
    model: net
    init: he
    data: teacher.train
    loss: mse
    optimizer: {kind: sgd, lr: 0.01}
    steps: 10
    batch: 16
    record: [loss]
  test: {kind: evaluate, from: train, data: teacher.test, record: [loss]}
EOF

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

: >"$work/plan.times"; : >"$work/submit.times"; : >"$work/quick.times"; : >"$work/local.times"
for round in $(seq "$rounds"); do
  t0=$(now); "$sprout" plan "$work/big.yaml" --store "$work/p$round" >/dev/null; t1=$(now)
  awk "BEGIN {print $t1 - $t0}" >>"$work/plan.times"

  t0=$(now)
  "$sprout" submit "$work/big.yaml" --scheduler slurm --store "$work/s$round" --sbatch-arg --hold 2>"$work/submit.out" ||
    { cat "$work/submit.out" >&2; exit 1; }
  t1=$(now)
  awk "BEGIN {print $t1 - $t0}" >>"$work/submit.times"
  grep -o 'jobs [0-9, ]*' "$work/submit.out" | tr -d 'jobs,' | xargs scancel
  rm -rf "$work/s$round" "$work/p$round"

  t0=$(now)
  "$sprout" submit examples/quickstart.yaml --scheduler slurm --store "$work/q$round" --wait >/dev/null 2>&1
  t1=$(now)
  awk "BEGIN {print $t1 - $t0}" >>"$work/quick.times"
  t0=$(now); "$sprout" run examples/quickstart.yaml --store "$work/l$round" >/dev/null 2>&1; t1=$(now)
  awk "BEGIN {print $t1 - $t0}" >>"$work/local.times"
done

printf '| measurement (median of %s) | seconds |\n|---|---|\n' "$rounds"
printf '| sprout plan, 10,000 tasks (planning alone) | %.2f |\n' "$(median <"$work/plan.times")"
printf '| sprout submit, 10,000 tasks (2 sbatch calls) | %.2f |\n' "$(median <"$work/submit.times")"
printf '| quickstart: sprout submit --wait (8 tasks, 2 waves) | %.2f |\n' "$(median <"$work/quick.times")"
printf '| quickstart: local sprout run | %.2f |\n' "$(median <"$work/local.times")"
