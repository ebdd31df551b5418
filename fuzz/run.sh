#!/usr/bin/env bash
# Builds the libFuzzer harness over Sprout's whole pipeline and runs it.
#
#   fuzz/run.sh [SECONDS]        (default 60; run from anywhere)
#
# The library modules (SproutDriver and everything under it, their package dependencies included) are built by
# SwiftPM in release mode, instrumented for libFuzzer and AddressSanitizer, into .build-fuzz/spm (a build of its
# own: the normal .build is not touched). The harness, fuzz/Sources/FuzzTarget.swift, is then linked against
# their objects with swiftc. New interesting inputs go to .build-fuzz/corpus (fuzz/corpus holds the checked-in
# seeds and is only read); crashes, timeouts and out-of-memory inputs go to fuzz-artifacts/.
#
# The run uses libFuzzer's fork mode (-fork=1): each finding is written to fuzz-artifacts/ and the run goes on
# with a fresh child, so one run of an hour reports every finding rather than stopping at the first.
# FUZZ_FORK=0 runs in-process instead (stops at the first finding; what to use to reproduce one).
set -euo pipefail

SECONDS_TO_RUN="${1:-60}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.build-fuzz"
ARTIFACTS="$ROOT/fuzz-artifacts"
mkdir -p "$OUT/corpus" "$ARTIFACTS"

# The Swift runtime's own crash backtracer trips AddressSanitizer; let libFuzzer report crashes instead.
export SWIFT_BACKTRACE=enable=no
# LeakSanitizer reports Swift's lazily initialised globals (catalogues) as leaks at exit: leak checking is off,
# both libFuzzer's per-input check (-detect_leaks=0 below) and ASan's at exit. A smaller ASan quarantine keeps the
# harness's own footprint well under the memory limit, so that limit measures what an input costs.
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=64:detect_leaks=0}"
# Tiny specs read their data from a copy of this folder (see FuzzTarget.swift).
export SPROUT_FUZZ_DATA="$ROOT/fuzz/data"

echo "fuzz: building the library modules (swift build, release, -sanitize=fuzzer,address)"
(cd "$ROOT" && swift build --scratch-path "$OUT/spm" -c release \
  -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address --target SproutDriver)
BIN="$(cd "$ROOT" && swift build --scratch-path "$OUT/spm" -c release --show-bin-path)"

# Every object of the libraries SproutDriver needs; not the executables' mains, tests or build tools.
mapfile -t OBJECTS < <(find "$BIN" -path '*.build/*.o' \
  | grep -v -E '/(sprout|sprout-bench|SproutBenchAlloc|[A-Za-z]*Tests|SproutPackage[A-Za-z]*|[A-Za-z]*-tool)\.build/' | sort)
# The C modules the Swift modules import (libyaml's, swift-atomics' shims, ...).
MODULE_MAPS=()
while IFS= read -r map; do
  MODULE_MAPS+=(-Xcc "-fmodule-map-file=$map" -Xcc "-I$(dirname "$map")")
done < <(find "$ROOT/Sources" "$OUT/spm/checkouts" -name module.modulemap -not -path '*/Tests/*' 2>/dev/null)

echo "fuzz: linking the harness (${#OBJECTS[@]} objects)"
# (gold warns once per ASan helper symbol that it cannot export; those lines are noise.)
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 -module-name SproutFuzz \
  -I "$BIN/Modules" "${MODULE_MAPS[@]}" \
  "$ROOT/fuzz/Sources/FuzzTarget.swift" "${OBJECTS[@]}" -lyaml -lsqlite3 \
  -o "$OUT/sprout-fuzz" 2> >(grep -v 'Cannot export local symbol' >&2)

# Counts of executed specs and completed tasks, and the slowest inputs (see Stats in FuzzTarget.swift).
export SPROUT_FUZZ_STATS="$OUT/stats"
mkdir -p "$SPROUT_FUZZ_STATS"

echo "fuzz: running for $SECONDS_TO_RUN s"
FORK=()
if [ "${FUZZ_FORK:-1}" != 0 ]; then FORK=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1); fi
/usr/bin/time -v "$OUT/sprout-fuzz" "$OUT/corpus" "$ROOT/fuzz/corpus" \
  -dict="$ROOT/fuzz/yaml.dict" "${FORK[@]}" \
  -max_total_time="$SECONDS_TO_RUN" -timeout=20 -rss_limit_mb=1024 -max_len=8192 -detect_leaks=0 \
  -artifact_prefix="$ARTIFACTS/" -print_final_stats=1 -report_slow_units=2
