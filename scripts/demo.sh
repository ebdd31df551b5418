#!/usr/bin/env bash
# The demo: lint every example, then run the quick-start experiment end to end.
set -euo pipefail
sprout=${1:-.build/release/sprout}
echo "== sprout lint examples/*.yaml"
"$sprout" lint examples/*.yaml
