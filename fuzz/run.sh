#!/usr/bin/env bash
# Builds the libFuzzer harness over Sprout's front end and runs it.
#
#   fuzz/run.sh [SECONDS]        (default 60; run from anywhere)
#
# Each library module is compiled on its own with swiftc (whole-module, -sanitize=fuzzer,address) into
# .build-fuzz/, in dependency order; SproutSpec and SproutGraph join automatically once their Sources
# folders hold more than a placeholder, and fuzz/Sources/FuzzTarget.swift picks them up with canImport.
# New interesting inputs go to .build-fuzz/corpus (fuzz/corpus holds the checked-in seeds and is only
# read); crashes, timeouts and out-of-memory inputs go to fuzz-artifacts/.
set -euo pipefail

SECONDS_TO_RUN="${1:-60}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.build-fuzz"
ARTIFACTS="$ROOT/fuzz-artifacts"
mkdir -p "$OUT/modules" "$OUT/corpus" "$ARTIFACTS"

# The Swift runtime's own crash backtracer trips AddressSanitizer; let libFuzzer report crashes instead.
export SWIFT_BACKTRACE=enable=no
# LeakSanitizer reports Swift's lazily initialised globals (catalogues) as leaks at exit: leak checking is
# off, both libFuzzer's per-input check (-detect_leaks=0 below) and ASan's at exit. A smaller ASan quarantine keeps the harness's own footprint well under the
# 500 MiB limit, so that limit measures what an input costs.
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=64:detect_leaks=0}"

SWIFTC=(swiftc -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 5
  -I "$ROOT/Sources/CYAML" -I "$OUT/modules")

# True when a module folder holds real code, not just the one-comment placeholder of the skeleton.
has_code() {
  local dir="$ROOT/Sources/$1"
  [ -d "$dir" ] || return 1
  [ -n "$(find "$dir" -name '*.swift' -exec cat {} + | grep -v '^[[:space:]]*//' | tr -d '[:space:]')" ]
}

OBJECTS=()
for module in SproutDiagnostics SproutSyntax SproutSpec SproutGraph SproutPlanner; do
  if ! has_code "$module"; then
    echo "fuzz: skipping $module (no code yet)"
    continue
  fi
  mapfile -t sources < <(find "$ROOT/Sources/$module" -name '*.swift' | sort)
  echo "fuzz: compiling $module (${#sources[@]} files)"
  "${SWIFTC[@]}" -wmo -module-name "$module" -emit-module -emit-module-path "$OUT/modules/$module.swiftmodule" \
    -emit-object -o "$OUT/modules/$module.o" "${sources[@]}"
  OBJECTS+=("$OUT/modules/$module.o")
done

echo "fuzz: linking the harness"
# (gold warns once per ASan helper symbol that it cannot export; those lines are noise.)
"${SWIFTC[@]}" -module-name SproutFuzz "$ROOT/fuzz/Sources/FuzzTarget.swift" "${OBJECTS[@]}" -lyaml \
  -o "$OUT/sprout-fuzz" 2> >(grep -v 'Cannot export local symbol' >&2)

echo "fuzz: running for $SECONDS_TO_RUN s"
"$OUT/sprout-fuzz" "$OUT/corpus" "$ROOT/fuzz/corpus" \
  -dict="$ROOT/fuzz/yaml.dict" \
  -max_total_time="$SECONDS_TO_RUN" -timeout=1 -rss_limit_mb=500 -max_len=8192 -detect_leaks=0 \
  -artifact_prefix="$ARTIFACTS/" -print_final_stats=1
