#!/usr/bin/env bash
# The main command: installs what is missing, builds, and runs a local Sluice cluster on
# loopback — a real ZooKeeper server from Debian's `zookeeper` package and three sluice-broker
# processes (ids 1-3 on ports 9092-9094). It waits until the cluster is healthy (every broker
# registered in ZooKeeper, a controller elected, every broker seeing both) before saying so.
# Data and logs live in .local-cluster/ and survive restarts. Every process is stopped by the
# pid in its pid file, never by name.
#
#   scripts/run-local.sh [start] [-d|--detach] [--no-build]
#       start; stays in the foreground (Ctrl-C stops everything) unless -d is given or a
#       cluster was already running, in which case it starts only what is missing (e.g. a
#       broker you killed), waits until the cluster is healthy and returns
#   scripts/run-local.sh stop     stop the cluster (brokers first, then ZooKeeper)
#   scripts/run-local.sh status   show what is running
#
# Environment:
#   SLUICE_ZK_PORT            ZooKeeper client port (default 2181)
#   SLUICE_BROKER_BASE_PORT   port of broker 1; broker N listens on base + N - 1 (default 9092)
#   SLUICE_BROKER_COUNT       number of brokers (default 3)
#   SLUICE_LOCAL_DIR          data, logs and pid files (default .local-cluster)
#   SLUICE_REPLICATION_FACTOR default.replication.factor of the brokers (default 3, see docs/replication.md)
#   SLUICE_BUILD_DIR          build directory holding broker/sluice-broker and tools/sluice
#                             (default build-local)
#   SLUICE_NO_BUILD=1         like --no-build: skip scripts/setup.sh and the build, use the
#                             binaries already in SLUICE_BUILD_DIR
#   SLUICE_HEALTH_TIMEOUT     seconds to wait for each process and for the cluster (default 60)
#   SLUICE_LOG_LEVEL          the brokers' log level (default info)
# SLUICE_BROKERS is the `sluice` CLI's bootstrap list and is not read here (an old use as the
# broker count is still honoured when it is a plain number).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=${SLUICE_LOCAL_DIR:-$root/.local-cluster}
zk_port=${SLUICE_ZK_PORT:-2181}
zk_dir=$state/zookeeper
zk_pidfile=$zk_dir/zk.pid
base_port=${SLUICE_BROKER_BASE_PORT:-9092}
if [[ -n "${SLUICE_BROKER_COUNT:-}" ]]; then
  brokers=$SLUICE_BROKER_COUNT
elif [[ "${SLUICE_BROKERS:-}" =~ ^[0-9]+$ ]]; then
  brokers=$SLUICE_BROKERS
else
  brokers=3
fi
build_dir=${SLUICE_BUILD_DIR:-$root/build-local}
broker_bin=$build_dir/broker/sluice-broker
cli=$build_dir/tools/sluice
health_timeout=${SLUICE_HEALTH_TIMEOUT:-60}
chroot=/sluice

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

zk_serving() {
  local reply
  reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$zk_port" && echo srvr >&3 && timeout 2 cat <&3) 2>/dev/null || true)
  [[ "$reply" == *"Mode:"* ]]
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

broker_port() { echo $((base_port + $1 - 1)); }

bootstrap_list() {
  local out="" id
  for id in $(seq 1 "$brokers"); do out+="127.0.0.1:$(broker_port "$id"),"; done
  echo "${out%,}"
}

# A path as the user should type it: relative to the current directory when below it.
shown() { if [[ "$1" == "$PWD/"* ]]; then echo "${1#"$PWD/"}"; else echo "$1"; fi; }

stop_command() {
  local cmd
  cmd=$(shown "$root/scripts/run-local.sh")
  if [[ -n "${SLUICE_LOCAL_DIR:-}" ]]; then cmd="SLUICE_LOCAL_DIR=$(shown "$state") $cmd"; fi
  echo "$cmd stop"
}

stop_pidfile() {
  local pidfile=$1 name=$2
  if alive "$pidfile"; then
    local pid
    pid=$(cat "$pidfile")
    # SIGTERM: a broker first hands its leaderships over (controlled shutdown, at most 15 s).
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 250); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      echo "killed $name (pid $pid): it did not stop within 25 s of SIGTERM"
    else
      echo "stopped $name (pid $pid)"
    fi
  fi
  rm -f "$pidfile"
}

stop_all() {
  # Brokers first (they deregister cleanly from ZooKeeper), then ZooKeeper. Every broker
  # directory with a pid file counts, whatever SLUICE_BROKER_COUNT says now.
  local pidfile id
  for pidfile in "$state"/broker-*/broker.pid; do
    [[ -e "$pidfile" ]] || continue
    id=${pidfile%/broker.pid}
    id=${id##*/broker-}
    stop_pidfile "$pidfile" "broker $id"
  done
  stop_pidfile "$zk_pidfile" "ZooKeeper"
}

# Set when this invocation started ZooKeeper: only then does a failure stop everything (a
# second `start` that restarts one broker must not take the running cluster down with it).
owner=0

log_tails() {
  local f
  for f in "$zk_dir/zookeeper.log" "$state"/broker-*/broker.log; do
    [[ -f "$f" ]] || continue
    echo "--- last lines of $f ---" >&2
    tail -15 "$f" >&2
  done
}

fail() {
  echo "error: $*" >&2
  log_tails
  if ((owner)); then stop_all; fi
  exit 1
}

start_zookeeper() {
  mkdir -p "$zk_dir/data"
  if alive "$zk_pidfile"; then
    echo "ZooKeeper already running (pid $(cat "$zk_pidfile"))"
    return
  fi
  if zk_serving; then
    echo "error: something else already serves ZooKeeper on port $zk_port; set SLUICE_ZK_PORT" >&2
    exit 1
  fi
  [[ -f /usr/share/java/zookeeper.jar ]] ||
    { echo "error: /usr/share/java/zookeeper.jar missing: install Debian's zookeeper package (scripts/setup.sh)" >&2; exit 1; }
  cat >"$zk_dir/zoo.cfg" <<CFG
tickTime=2000
dataDir=$zk_dir/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok,stat,mntr,cons
CFG
  owner=1
  setsid java -Xmx256m -XX:+UseSerialGC -cp /usr/share/java/zookeeper.jar \
    org.apache.zookeeper.server.ZooKeeperServerMain "$zk_dir/zoo.cfg" \
    >"$zk_dir/zookeeper.log" 2>&1 </dev/null &
  echo $! >"$zk_pidfile"
  disown $!  # tracked by its pid file; no "Killed" job notices from this shell
  local deadline=$((SECONDS + health_timeout))
  while ((SECONDS < deadline)); do
    if zk_serving; then
      echo "ZooKeeper serving on 127.0.0.1:$zk_port (pid $(cat "$zk_pidfile"), log $(shown "$zk_dir/zookeeper.log"))"
      return
    fi
    alive "$zk_pidfile" || fail "ZooKeeper exited while starting"
    sleep 0.2
  done
  fail "ZooKeeper did not serve on 127.0.0.1:$zk_port within ${health_timeout}s"
}

start_broker() {
  local id=$1 port dir=$state/broker-$1
  port=$(broker_port "$id")
  mkdir -p "$dir/data"
  if alive "$dir/broker.pid"; then
    echo "broker $id already running (pid $(cat "$dir/broker.pid"))"
    return
  fi
  if port_open "$port"; then
    fail "port $port (broker $id) is taken by another process; set SLUICE_BROKER_BASE_PORT"
  fi
  # The log is appended to across restarts: only a start line written by this run counts.
  local log_start=0
  [[ -f "$dir/broker.log" ]] && log_start=$(stat -c %s "$dir/broker.log")
  # Configuration through the environment, exactly as docker-compose.yml does it. The broker
  # refuses unknown SLUICE_* variables, so it gets a clean environment (not this script's).
  env -i PATH="$PATH" HOME="${HOME:-/}" SLUICE_LOG_LEVEL="${SLUICE_LOG_LEVEL:-info}" \
  SLUICE_BROKER_ID="$id" \
  SLUICE_ZOOKEEPER_CONNECT="127.0.0.1:$zk_port$chroot" \
  SLUICE_LISTENERS="PLAINTEXT://127.0.0.1:$port" \
  SLUICE_LOG_DIRS="$dir/data" \
  SLUICE_DEFAULT_REPLICATION_FACTOR="${SLUICE_REPLICATION_FACTOR:-3}" \
    setsid "$broker_bin" >>"$dir/broker.log" 2>&1 </dev/null &
  echo $! >"$dir/broker.pid"
  disown $!
  # The "started in cluster" line is logged at info: with a quieter SLUICE_LOG_LEVEL, the
  # open port of a broker that is still alive is the sign (wait_healthy checks the rest).
  local want_line=1
  case "${SLUICE_LOG_LEVEL:-info}" in warning|error|fatal) want_line=0 ;; esac
  local deadline=$((SECONDS + health_timeout))
  while ((SECONDS < deadline)); do
    if port_open "$port" && { ((want_line == 0)) ||
         tail -c +"$((log_start + 1))" "$dir/broker.log" | grep -q "started in cluster"; }; then
      echo "broker $id listening on 127.0.0.1:$port (pid $(cat "$dir/broker.pid"), log $(shown "$dir/broker.log"))"
      return
    fi
    alive "$dir/broker.pid" || fail "broker $id exited while starting"
    sleep 0.2
  done
  fail "broker $id did not start within ${health_timeout}s"
}

# Healthy: ZooKeeper lists every broker under /brokers/ids and holds /controller, and every
# broker's own metadata shows all brokers and that controller. Sets `controller`.
controller=""
cluster_healthy() {
  local out id port
  out=$("$cli" --timeout 3000 cluster znodes -z "127.0.0.1:$zk_port$chroot" -p /brokers/ids 2>/dev/null) || return 1
  for id in $(seq 1 "$brokers"); do
    grep -q "^/brokers/ids/$id  (ephemeral)" <<<"$out" || return 1
  done
  out=$("$cli" --timeout 3000 cluster znodes -z "127.0.0.1:$zk_port$chroot" -p /controller 2>/dev/null) || return 1
  grep -q '"brokerid"' <<<"$out" || return 1
  for id in $(seq 1 "$brokers"); do
    port=$(broker_port "$id")
    out=$("$cli" --brokers "127.0.0.1:$port" --timeout 3000 cluster info 2>/dev/null) || return 1
    grep -Eq "^controller:[[:space:]]+[0-9]+$" <<<"$out" || return 1
    grep -Eq "^brokers:[[:space:]]+$brokers$" <<<"$out" || return 1
    controller=$(sed -nE 's/^controller:[[:space:]]+([0-9]+)$/\1/p' <<<"$out")
  done
}

wait_healthy() {
  local deadline=$((SECONDS + health_timeout))
  while ((SECONDS < deadline)); do
    cluster_healthy && return
    sleep 0.5
  done
  echo "error: the cluster is not healthy after ${health_timeout}s (want brokers 1-$brokers under" \
    "$chroot/brokers/ids and a controller); what ZooKeeper holds:" >&2
  "$cli" --timeout 3000 cluster znodes -z "127.0.0.1:$zk_port$chroot" -p /brokers >&2 || true
  fail "cluster not healthy"
}

print_banner() {
  local bootstrap sluice zk_cli=/usr/share/zookeeper/bin/zkCli.sh
  bootstrap=$(bootstrap_list)
  sluice=$(shown "$cli")
  cat <<MSG

Sluice local cluster is up: $brokers brokers registered, controller is broker $controller.
  Brokers:    $bootstrap
  ZooKeeper:  127.0.0.1:$zk_port, chroot $chroot
  Data/logs:  $(shown "$state")/ (broker-N/broker.log, broker-N/data, broker-N/broker.pid, zookeeper/)
  CLI:        $sluice
Try:
  export SLUICE_BROKERS=$bootstrap
  $sluice cluster info
  $sluice topic create test -p 1 -r 1
  printf 'k1:hello\\nk2:world\\n' | $sluice produce test --key-separator :
  $sluice consume test --from-beginning -n 2 -g demo
  $sluice group describe demo
  kcat -b $bootstrap -L
  $zk_cli -server 127.0.0.1:$zk_port get $chroot/controller
MSG
}

detach=0
build=1
[[ "${SLUICE_NO_BUILD:-0}" == 1 ]] && build=0
command=start
args=("$@")
if ((${#args[@]} > 0)) && [[ "${args[0]}" != -* ]]; then
  command=${args[0]}
  args=("${args[@]:1}")
fi
for a in "${args[@]}"; do
  case "$a" in
    -d|--detach) detach=1 ;;
    --no-build) build=0 ;;
    *) echo "usage: $0 [start [-d|--detach] [--no-build] | stop | status]" >&2; exit 2 ;;
  esac
done

case "$command" in
  stop)
    stop_all
    exit 0
    ;;
  status)
    if alive "$zk_pidfile" && zk_serving; then
      echo "ZooKeeper: serving on 127.0.0.1:$zk_port (pid $(cat "$zk_pidfile"))"
    else
      echo "ZooKeeper: not running"
    fi
    for id in $(seq 1 "$brokers"); do
      if alive "$state/broker-$id/broker.pid"; then
        echo "broker $id: running on 127.0.0.1:$(broker_port "$id") (pid $(cat "$state/broker-$id/broker.pid"))"
      else
        echo "broker $id: not running"
      fi
    done
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: $0 [start [-d|--detach] [--no-build] | stop | status]" >&2
    exit 2
    ;;
esac

if ((build)); then
  "$root/scripts/setup.sh"
  # `all` includes the broker and the `sluice` CLI (tools/), which the health check uses.
  SLUICE_BUILD_DIR=$build_dir "$root/scripts/build.sh" -DSLUICE_SANITIZE=OFF -DSLUICE_BUILD_TESTS=OFF
fi
for bin in "$broker_bin" "$cli"; do
  [[ -x "$bin" ]] || { echo "error: $bin is missing: build it (drop --no-build, or set SLUICE_BUILD_DIR)" >&2; exit 1; }
done

trap 'echo; if ((owner)); then stop_all; fi; exit 130' INT TERM
start_zookeeper
for id in $(seq 1 "$brokers"); do start_broker "$id"; done
wait_healthy
print_banner

if ((detach || !owner)); then
  ((owner)) || echo "(ZooKeeper was already running: this command started only what was missing.)"
  echo "Stop it with: $(stop_command)"
  exit 0
fi

echo "Press Ctrl-C to stop (or run: $(stop_command))."
trap 'echo; stop_all; exit 0' INT TERM
# Stay in the foreground while ZooKeeper runs. A broker that exits (e.g. killed in the tour) is
# reported, not fatal: `scripts/run-local.sh start -d` in another terminal starts it again.
declare -A down=()
while alive "$zk_pidfile"; do
  for id in $(seq 1 "$brokers"); do
    if ! alive "$state/broker-$id/broker.pid"; then
      if [[ -z "${down[$id]:-}" ]]; then
        echo "broker $id is not running (see $(shown "$state/broker-$id/broker.log")); start it again with: $(shown "$root/scripts/run-local.sh") start -d"
        down[$id]=1
      fi
    elif [[ -n "${down[$id]:-}" ]]; then
      echo "broker $id is running again (pid $(cat "$state/broker-$id/broker.pid"))"
      unset "down[$id]"
    fi
  done
  sleep 1 &
  wait $! || true  # so that Ctrl-C is handled at once, not after the sleep
done
if [[ ! -f "$zk_pidfile" ]]; then
  echo "the cluster was stopped (run-local.sh stop)"
  stop_all
  exit 0
fi
echo "ZooKeeper exited; see $(shown "$zk_dir/zookeeper.log")" >&2
stop_all
exit 1
