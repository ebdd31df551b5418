#!/usr/bin/env bash
# bench/lint: `sprout lint` on a generated 10,000-line spec and on 1,000 small specs, against PyYAML's C loader
# plus jsonschema (the Python baseline). Release build; wall time includes process start.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --static-swift-stdlib --product sprout >/dev/null
python3 bench/lint/gen.py bench/out/lint
python3 bench/lint/bench.py .build/release/sprout bench/out/lint grammar/sprout.schema.json
