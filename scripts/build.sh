#!/usr/bin/env bash
# Configures and builds Sluice with CMake + Ninja into ${SLUICE_BUILD_DIR:-build}.
# Extra arguments are passed to the CMake configure step (e.g. -DSLUICE_SANITIZE=ON).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${SLUICE_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build_dir" -G Ninja "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
