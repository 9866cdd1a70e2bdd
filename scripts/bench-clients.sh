#!/usr/bin/env bash
# Client throughput benchmark (issue 8): starts a private local cluster — a real ZooKeeper
# server and sluice-broker processes, started as scripts/run-local.sh starts them, but in a
# fresh temporary directory on their own ports — creates a topic per run, and runs each
# client's bench program: produce COUNT records of SIZE bytes, then consume them from the
# beginning. Prints one table row per client, acks value and mode. A benchmark, never a test:
# figures on a shared machine are noisy; docs/benchmarks.md records them.
#
#   scripts/bench-clients.sh [--client rdkafka|sluice|all] [--records N] [--size BYTES]
#                            [--acks LIST] [--partitions P] [--brokers B] [--linger-ms MS]
#                            [--batch-size BYTES] [--compression CODEC] [--keyed]
#                            [--group ID] [--no-build] [--keep] [--results FILE]
#
#   --acks takes a comma-separated list (default "1,all"); every value gets its own topic.
#   --brokers B starts B brokers and creates topics with replication factor B (default 1).
#   --client all runs every client whose program is built (default: rdkafka).
#   --results FILE appends each program's JSON line to FILE (format: tests/bench/rdkafka_bench.cpp).
#
# Environment: SLUICE_BUILD_DIR (default build-bench), SLUICE_BENCH_ZK_PORT (default 2281),
# SLUICE_BENCH_BROKER_BASE_PORT (default 9192), SLUICE_LOG_LEVEL (broker log level, default warning).
# Every process started here is stopped by its pid on exit, also on failure and Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${SLUICE_BUILD_DIR:-$root/build-bench}
zk_port=${SLUICE_BENCH_ZK_PORT:-2281}
base_port=${SLUICE_BENCH_BROKER_BASE_PORT:-9192}

client=rdkafka records=1000000 size=100 acks_list=1,all partitions=1 brokers=1
linger_ms=5 batch_size=1000000 compression=none keyed=0 group="" build=1 keep=0 results=""
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while (($#)); do
  case "$1" in
    --client) client=$2; shift ;;
    --records) records=$2; shift ;;
    --size) size=$2; shift ;;
    --acks) acks_list=$2; shift ;;
    --partitions) partitions=$2; shift ;;
    --brokers) brokers=$2; shift ;;
    --linger-ms) linger_ms=$2; shift ;;
    --batch-size) batch_size=$2; shift ;;
    --compression) compression=$2; shift ;;
    --keyed) keyed=1 ;;
    --group) group=$2; shift ;;
    --no-build) build=0 ;;
    --keep) keep=1 ;;
    --results) results=$2; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
  shift
done

# ---- clients ---------------------------------------------------------------------------------
# THE PLUG-IN POINT for client bench programs. Each client is a program taking the flags and
# printing the --json line documented at the top of tests/bench/rdkafka_bench.cpp. To add a
# client: add its name to all_clients, its path and CMake target below. The Sluice client's
# program, tests/bench/sluice_client_bench.cpp, plugs in here as "sluice".
all_clients=(rdkafka sluice)
client_target() {
  case "$1" in
    rdkafka) echo rdkafka_bench ;;
    sluice) echo sluice_client_bench ;;
    *) echo "unknown client: $1" >&2; return 1 ;;
  esac
}
client_program() { echo "$build_dir/tests/bench/$(client_target "$1")"; }

case "$client" in
  all) clients=("${all_clients[@]}") ;;
  *) client_target "$client" >/dev/null; clients=("$client") ;;
esac

# ---- build -----------------------------------------------------------------------------------
if ((build)); then
  if [[ ! -f "$build_dir/build.ninja" ]]; then
    # tests/bench is only part of the build when the test tree is (top-level CMakeLists.txt);
    # only the targets below are compiled, so the tests' cost is a configure step.
    cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DSLUICE_BUILD_TESTS=ON -DSLUICE_BUILD_BENCH=ON -DSLUICE_SANITIZE=OFF >/dev/null
  fi
  targets=(sluice-broker)
  for c in "${clients[@]}"; do
    t=$(client_target "$c")
    # A client whose program has no target (not written yet, or its library missing) is skipped below.
    if ninja -C "$build_dir" -t targets all 2>/dev/null | grep -q "^$t:"; then targets+=("$t"); fi
  done
  cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]}"
fi
broker_bin=$build_dir/broker/sluice-broker
[[ -x "$broker_bin" ]] || { echo "error: $broker_bin not built" >&2; exit 1; }
runnable=()
for c in "${clients[@]}"; do
  if [[ -x "$(client_program "$c")" ]]; then
    runnable+=("$c")
  else
    echo "skipping client '$c': $(client_program "$c") is not built" >&2
  fi
done
((${#runnable[@]})) || { echo "error: no client bench program is built" >&2; exit 1; }
# create-topic is rdkafka_bench's alone; topics are created through it for every client.
admin=$(client_program rdkafka)
[[ -x "$admin" ]] || { echo "error: $admin (used to create topics) is not built" >&2; exit 1; }

# ---- cluster ---------------------------------------------------------------------------------
state=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")
pids=()        # every long-running process started here, in start order
child_pid=""   # the bench program running now, if any

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
zk_serving() {
  local reply
  reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$zk_port" && echo srvr >&3 && timeout 2 cat <&3) 2>/dev/null || true)
  [[ "$reply" == *"Mode:"* ]]
}
stop_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n "$child_pid" ]] && stop_pid "$child_pid"
  # Brokers first (they deregister from ZooKeeper), then ZooKeeper: reverse start order.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[i]}"; done
  if ((keep)) || ((rc != 0)); then
    echo "cluster state and logs kept in $state" >&2
  else
    rm -rf "$state"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if port_open "$zk_port"; then echo "error: port $zk_port is taken; set SLUICE_BENCH_ZK_PORT" >&2; exit 1; fi
mkdir -p "$state/zookeeper/data"
cat >"$state/zookeeper/zoo.cfg" <<CFG
tickTime=2000
dataDir=$state/zookeeper/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok
CFG
setsid java -Xmx256m -XX:+UseSerialGC -cp /usr/share/java/zookeeper.jar \
  org.apache.zookeeper.server.ZooKeeperServerMain "$state/zookeeper/zoo.cfg" \
  >"$state/zookeeper/zookeeper.log" 2>&1 </dev/null &
pids+=($!)
for _ in $(seq 1 150); do zk_serving && break; sleep 0.2; done
zk_serving || { echo "error: ZooKeeper did not start; see $state/zookeeper/zookeeper.log" >&2; exit 1; }

bootstrap=""
for id in $(seq 1 "$brokers"); do
  port=$((base_port + id - 1)) dir=$state/broker-$id
  if port_open "$port"; then echo "error: port $port is taken; set SLUICE_BENCH_BROKER_BASE_PORT" >&2; exit 1; fi
  mkdir -p "$dir/data"
  # Same configuration path as run-local.sh: a clean environment of SLUICE_* variables.
  env -i PATH="$PATH" HOME="${HOME:-/}" SLUICE_LOG_LEVEL="${SLUICE_LOG_LEVEL:-warning}" \
    SLUICE_BROKER_ID="$id" \
    SLUICE_ZOOKEEPER_CONNECT="127.0.0.1:$zk_port/sluice" \
    SLUICE_LISTENERS="PLAINTEXT://127.0.0.1:$port" \
    SLUICE_LOG_DIRS="$dir/data" \
    SLUICE_DEFAULT_REPLICATION_FACTOR="$brokers" \
    SLUICE_OFFSETS_TOPIC_REPLICATION_FACTOR="$brokers" \
    setsid "$broker_bin" >"$dir/broker.log" 2>&1 </dev/null &
  pids+=($!)
  for _ in $(seq 1 100); do port_open "$port" && break; kill -0 "${pids[-1]}" 2>/dev/null || break; sleep 0.2; done
  port_open "$port" || { echo "error: broker $id did not start; see $dir/broker.log" >&2; tail -5 "$dir/broker.log" >&2; exit 1; }
  bootstrap+="127.0.0.1:$port,"
done
bootstrap=${bootstrap%,}
echo "cluster: ZooKeeper 127.0.0.1:$zk_port, brokers $bootstrap (state in $state)" >&2

# ---- runs ------------------------------------------------------------------------------------
json_lines=$state/results.jsonl
: >"$json_lines"
# Runs one bench program in the background (so Ctrl-C reaches cleanup while it runs) and
# appends its JSON line. Returns the program's status.
run_bench() {
  local out=$state/run.out rc=0
  "$@" --json >"$out" &
  child_pid=$!
  wait "$child_pid" || rc=$?
  child_pid=""
  tail -n 1 "$out" >>"$json_lines"
  [[ -n "$results" ]] && tail -n 1 "$out" >>"$results"
  return "$rc"
}

status=0
IFS=, read -r -a acks_values <<<"$acks_list"
for c in "${runnable[@]}"; do
  prog=$(client_program "$c")
  for acks in "${acks_values[@]}"; do
    topic="bench-$c-acks${acks}-$size-$$-$RANDOM"
    "$admin" create-topic -b "$bootstrap" -t "$topic" --partitions "$partitions" --replication-factor "$brokers"
    produce=("$prog" produce -b "$bootstrap" -t "$topic" -n "$records" -s "$size" --acks "$acks"
             --linger-ms "$linger_ms" --batch-size "$batch_size" --compression "$compression")
    ((keyed)) && produce+=(--keyed)
    echo "running: ${produce[*]}" >&2
    run_bench "${produce[@]}" || { echo "$c produce (acks=$acks) failed" >&2; status=1; continue; }
    consume=("$prog" consume -b "$bootstrap" -t "$topic" -n "$records" -s "$size")
    [[ -n "$group" ]] && consume+=(--group "$group-$acks")
    echo "running: ${consume[*]}" >&2
    run_bench "${consume[@]}" || { echo "$c consume (acks=$acks) failed" >&2; status=1; }
  done
done

python3 - "$json_lines" "$brokers" "$partitions" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    rows.append(r)
print(f"\n{sys.argv[2]} broker(s), {sys.argv[3]} partition(s)")
hdr = f"{'client':<18}{'mode':<9}{'acks':<6}{'records':>10}{'bytes':>7}{'records/s':>12}{'MB/s':>9}{'p50 us':>9}{'p99 us':>9}{'p99.9 us':>10}{'gap ms':>8}{'errors':>8}"
print(hdr)
print("-" * len(hdr))
last_acks = {}
for r in rows:
    key = (r["client"], r["topic"])
    if r["mode"] == "produce":
        last_acks[key] = r["acks"]
    acks = last_acks.get(key, "")
    lat = lambda k: str(r[k]) if k in r else "-"
    gap = lambda r: f"{r['max_gap_ms']:.0f}" if "max_gap_ms" in r else "-"
    print(f"{r['client'] + ' ' + r['client_version']:<18}{r['mode']:<9}{acks:<6}{r['records']:>10}{r['record_bytes']:>7}"
          f"{r['records_per_s']:>12.0f}{r['mb_per_s']:>9.1f}{lat('latency_p50_us'):>9}{lat('latency_p99_us'):>9}"
          f"{lat('latency_p999_us'):>10}{gap(r):>8}{r['errors']:>8}")
PY
exit "$status"
