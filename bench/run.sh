#!/usr/bin/env bash
# `make bench`: runs every benchmark, i.e. each bench/*/run.sh in name order (add a folder with a run.sh to
# add one). A failing benchmark is reported and the others still run; the exit status says whether all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for script in bench/*/run.sh; do
  echo "=== ${script%/run.sh}"
  if ! bash "$script"; then
    echo "=== ${script%/run.sh} FAILED" >&2
    status=1
  fi
done
exit $status
