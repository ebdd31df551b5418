#!/usr/bin/env bash
# bench/results: wall time of show --group-by (10,000 tasks), report (1,000 tasks, and its size) and runs
# queries (1,000 runs indexed) against the targets of docs/results.md, on synthetic stores that
# make_store.py writes in Sprout's store format (bench/out/results/, kept between runs). Release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --static-swift-stdlib --product sprout >/dev/null
mkdir -p bench/out/results
python3 bench/results/bench.py .build/release/sprout bench/out/results
