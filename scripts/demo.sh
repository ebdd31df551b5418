#!/usr/bin/env bash
# The demo: lint every example, plan the quick-start experiment, run it end to end, and show the results.
set -euo pipefail
sprout=${1:-.build/release/sprout}
store=${SPROUT_STORE:-.sprout}

echo "== sprout lint examples/*.yaml"
"$sprout" lint examples/*.yaml
echo
echo "== sprout plan examples/quickstart.yaml"
"$sprout" plan examples/quickstart.yaml --store "$store"
echo
echo "== sprout run examples/quickstart.yaml"
"$sprout" run examples/quickstart.yaml --store "$store"
echo
echo "== sprout show latest"
"$sprout" show latest --store "$store"
echo
echo "Results are in $store/ (docs/store.md): runs/<id>/manifest.json, tasks/<hash>/metrics.jsonl and checkpoints."
echo "Run 'make demo' again: every task is cached. 'sprout rerun latest' checks that a rerun reproduces every number."
