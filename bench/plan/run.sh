#!/usr/bin/env bash
# bench/plan: `sprout plan` (text and JSON) on matrices of 1k, 10k and 100k trials (MILLION=1 adds 1M), release build: wall time,
# CPU time, peak memory and callgrind instruction counts. Goals (issue 15): 100k trials < 1 s and < 150 MB; 1M < 10 s with
# memory flat in the trial count.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --static-swift-stdlib --product sprout >/dev/null
python3 bench/plan/gen.py bench/out/plan >/dev/null
python3 bench/plan/bench.py .build/release/sprout bench/out/plan ${MILLION:+--million}
