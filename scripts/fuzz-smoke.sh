#!/usr/bin/env bash
# Builds the fuzz targets with clang + libFuzzer (+ASan/UBSan) into build-fuzz and runs each
# for ${SLUICE_FUZZ_SECONDS:-20} seconds from the seed corpus. The suite runs it for 5 s per
# target (ctest fuzz_smoke) besides replaying the corpus under GCC; run it longer when touching
# a decoder.
#   scripts/fuzz-smoke.sh [target...]     default: all targets
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
build=${SLUICE_FUZZ_BUILD_DIR:-$root/build-fuzz}
# -O1 -g1: libFuzzer needs no more, and the build (the protocol library) is the slow part.
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DSLUICE_SANITIZE=ON \
  -DSLUICE_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" >/dev/null
targets=("$@")
if ((${#targets[@]} == 0)); then targets=(fuzz_request fuzz_response fuzz_record_batch); fi
cmake --build "$build" --target "${targets[@]}"
for t in "${targets[@]}"; do
  work=$(mktemp -d)
  cp "$root/tests/fuzz/corpus/$t"/* "$work/"
  echo "== $t (${SLUICE_FUZZ_SECONDS:-20} s)"
  "$build/tests/fuzz/$t" -max_total_time="${SLUICE_FUZZ_SECONDS:-20}" -max_len=65536 \
    -rss_limit_mb=2048 "$work"
  rm -rf "$work"
done
