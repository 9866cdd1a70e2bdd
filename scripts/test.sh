#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what is missing, builds
# (with AddressSanitizer + UndefinedBehaviorSanitizer), and runs every test through ctest.
# Usage: scripts/test.sh [ctest arguments...]   e.g. scripts/test.sh -R Zk
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
export SLUICE_BUILD_DIR=${SLUICE_BUILD_DIR:-$root/build-test}
"$root/scripts/build.sh" -DSLUICE_SANITIZE=ON -DSLUICE_BUILD_TESTS=ON
cd "$SLUICE_BUILD_DIR"
# Tests start real ZooKeeper servers and brokers; two at a time fit a 2-core machine.
ctest --output-on-failure --timeout 600 -j "${SLUICE_TEST_JOBS:-2}" "$@"
