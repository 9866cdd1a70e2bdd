#!/usr/bin/env bash
# Installs every Debian package Sluice needs to build, run and test, when missing.
# Idempotent: does nothing (not even `apt-get update`) when all packages are present.
# Usage: scripts/setup.sh
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config clang libclang-rt-14-dev clang-format-14
  # libraries
  libboost-dev libboost-log-dev libboost-program-options-dev
  libzookeeper-mt-dev nlohmann-json3-dev libzstd-dev liblz4-dev libsnappy-dev zlib1g-dev
  libssl-dev libcli11-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # the real ZooKeeper server (needs a JRE, pulled in by the package)
  zookeeper
  # real Kafka clients for compatibility tests and the reference benchmark client
  librdkafka-dev kcat python3 python3-confluent-kafka python3-kafka nodejs
  # docker-compose validation, network namespaces, process tools
  docker-compose iproute2 procps netcat-openbsd
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$p")
done

# Some machines carry a nodejs build that bundles npm (and conflicts with Debian's npm
# package); only ask for Debian's npm when no npm is on the PATH.
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} Debian packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
