#!/bin/bash
# Compares what two sprout binaries print, for a speed change that must not change anything observable:
# `sprout lint` as text, JSON, SARIF and --strict (output and exit status) on every spec file under examples/, Tests/,
# fuzz/ and bench/ (and bench/out/lint's generated specs, when present), one multi-file run, and `sprout plan` as JSON
# and text on the examples, the lint benchmark's big spec and the conformance specs.
#
#   bench/lint/compare-outputs.sh OLD_BINARY NEW_BINARY      (from the repository root; exit 1 on any difference)
set -u
OLD=$(realpath "$1"); NEW=$(realpath "$2"); ROOT=$(pwd)
fail=0; n=0
same() {  # label, then the command line after the binary
  local label=$1; shift
  local a b
  a=$(NO_COLOR=1 "$OLD" "$@" 2>&1; echo "exit=$?")
  b=$(NO_COLOR=1 "$NEW" "$@" 2>&1; echo "exit=$?")
  n=$((n + 1))
  [ "$a" == "$b" ] || { echo "DIFF $label: $*"; fail=1; }
}
files=$( (find examples Tests fuzz bench \( -name '*.yaml' -o -name '*.yml' -o -name '*.bin' \) -not -path '*/out/*' \
  -not -path '*/.venv/*'; ls bench/out/lint/big.yaml bench/out/lint/small/*.yaml 2>/dev/null | head -51) | sort)
for f in $files; do
  for fmt in text json sarif; do same lint lint --format "$fmt" "$f"; done
  same lint-strict lint --strict "$f"
done 2>/dev/null
same lint-multi lint --format json examples/*.yaml fuzz/corpus/*.yaml
for f in examples/*.yaml $(ls bench/out/lint/big.yaml 2>/dev/null) $(find Tests/Conformance -name '*.yaml'); do
  # From another directory, so no store of this checkout is read.
  cd /tmp
  for fmt in json text; do same plan plan --format "$fmt" "$ROOT/$f"; done
  cd "$ROOT"
done 2>/dev/null
echo "compared $n outputs; $([ $fail = 0 ] && echo 'all identical' || echo 'DIFFERENCES above')"
exit $fail
