#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what is missing, builds
# (with AddressSanitizer + UndefinedBehaviorSanitizer), and runs every test through ctest.
# Usage: scripts/test.sh [ctest arguments...]   e.g. scripts/test.sh -R Zk
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
export SLUICE_BUILD_DIR=${SLUICE_BUILD_DIR:-$root/build-test}
# Benchmarks are not tests (they run by hand, docs/benchmarks.md). -O1 -g1 instead of -O2 -g:
# ASan reports keep file:line, and the build (most of CI's time on 2 cores) is much faster.
"$root/scripts/build.sh" -DSLUICE_SANITIZE=ON -DSLUICE_BUILD_TESTS=ON -DSLUICE_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
cd "$SLUICE_BUILD_DIR"
# Tests start real ZooKeeper servers and brokers; two at a time fit a 2-core machine.
ctest --output-on-failure --timeout 600 -j "${SLUICE_TEST_JOBS:-2}" "$@"
