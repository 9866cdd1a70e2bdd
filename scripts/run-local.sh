#!/usr/bin/env bash
# The main command: installs what is missing, builds, and runs a local Sluice cluster on
# loopback — a real ZooKeeper server from Debian's `zookeeper` package and three sluice-broker
# processes (ids 1-3 on ports 9092-9094). Data and logs live in .local-cluster/ and survive
# restarts.
#
#   scripts/run-local.sh          start (foreground; Ctrl-C stops everything cleanly)
#   scripts/run-local.sh stop     stop a cluster started in another terminal
#   scripts/run-local.sh status   show what is running
#
# Environment: SLUICE_ZK_PORT (default 2181), SLUICE_BROKER_BASE_PORT (default 9092),
# SLUICE_BROKERS (default 3), SLUICE_LOCAL_DIR (default .local-cluster),
# SLUICE_REPLICATION_FACTOR (default 3: every partition on all three brokers; see docs/replication.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=${SLUICE_LOCAL_DIR:-$root/.local-cluster}
zk_port=${SLUICE_ZK_PORT:-2181}
zk_dir=$state/zookeeper
zk_pidfile=$zk_dir/zk.pid
base_port=${SLUICE_BROKER_BASE_PORT:-9092}
brokers=${SLUICE_BROKERS:-3}
build_dir=${SLUICE_BUILD_DIR:-$root/build-local}

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

zk_serving() {
  local reply
  reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$zk_port" && echo srvr >&3 && timeout 2 cat <&3) 2>/dev/null || true)
  [[ "$reply" == *"Mode:"* ]]
}

stop_pidfile() {
  local pidfile=$1 name=$2
  if alive "$pidfile"; then
    local pid
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
}

stop_all() {
  # Brokers first (they deregister cleanly from ZooKeeper), then ZooKeeper.
  for id in $(seq 1 "$brokers"); do
    stop_pidfile "$state/broker-$id/broker.pid" "broker $id"
  done
  stop_pidfile "$zk_pidfile" "ZooKeeper"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_broker() {
  local id=$1 port=$((base_port + $1 - 1)) dir=$state/broker-$1
  mkdir -p "$dir/data"
  if alive "$dir/broker.pid"; then
    echo "broker $id already running (pid $(cat "$dir/broker.pid"))"
    return
  fi
  # Configuration through the environment, exactly as docker-compose.yml does it. The broker
  # refuses unknown SLUICE_* variables, so it gets a clean environment (not this script's).
  env -i PATH="$PATH" HOME="${HOME:-/}" SLUICE_LOG_LEVEL="${SLUICE_LOG_LEVEL:-info}" \
  SLUICE_BROKER_ID=$id \
  SLUICE_ZOOKEEPER_CONNECT=127.0.0.1:$zk_port/sluice \
  SLUICE_LISTENERS=PLAINTEXT://127.0.0.1:$port \
  SLUICE_LOG_DIRS=$dir/data \
  SLUICE_DEFAULT_REPLICATION_FACTOR=${SLUICE_REPLICATION_FACTOR:-3} \
    setsid "$build_dir/broker/sluice-broker" >>"$dir/broker.log" 2>&1 </dev/null &
  echo $! >"$dir/broker.pid"
  for _ in $(seq 1 100); do
    if port_open "$port" && grep -q "started in cluster" "$dir/broker.log"; then
      echo "broker $id listening on 127.0.0.1:$port (pid $(cat "$dir/broker.pid"), log $dir/broker.log)"
      return
    fi
    alive "$dir/broker.pid" || break
    sleep 0.2
  done
  echo "error: broker $id did not start; last lines of $dir/broker.log:" >&2
  tail -20 "$dir/broker.log" >&2
  stop_all
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
  cat >"$zk_dir/zoo.cfg" <<CFG
tickTime=2000
dataDir=$zk_dir/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok,stat,mntr,cons
CFG
  setsid java -Xmx256m -XX:+UseSerialGC -cp /usr/share/java/zookeeper.jar \
    org.apache.zookeeper.server.ZooKeeperServerMain "$zk_dir/zoo.cfg" \
    >"$zk_dir/zookeeper.log" 2>&1 </dev/null &
  echo $! >"$zk_pidfile"
  for _ in $(seq 1 150); do
    if zk_serving; then
      echo "ZooKeeper serving on 127.0.0.1:$zk_port (pid $(cat "$zk_pidfile"), log $zk_dir/zookeeper.log)"
      return
    fi
    alive "$zk_pidfile" || break
    sleep 0.2
  done
  echo "error: ZooKeeper did not start; last lines of $zk_dir/zookeeper.log:" >&2
  tail -20 "$zk_dir/zookeeper.log" >&2
  stop_all
  exit 1
}

case "${1:-start}" in
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
        echo "broker $id: running on 127.0.0.1:$((base_port + id - 1)) (pid $(cat "$state/broker-$id/broker.pid"))"
      else
        echo "broker $id: not running"
      fi
    done
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: $0 [start|stop|status]" >&2
    exit 2
    ;;
esac

"$root/scripts/setup.sh"
SLUICE_BUILD_DIR=$build_dir "$root/scripts/build.sh" -DSLUICE_SANITIZE=OFF -DSLUICE_BUILD_TESTS=OFF

trap 'echo; stop_all; exit 0' INT TERM
start_zookeeper
for id in $(seq 1 "$brokers"); do start_broker "$id"; done
bootstrap=$(for id in $(seq 1 "$brokers"); do printf '127.0.0.1:%s,' $((base_port + id - 1)); done)
bootstrap=${bootstrap%,}
cat <<MSG

Sluice local cluster is up.
  Brokers:    $bootstrap
  ZooKeeper:  127.0.0.1:$zk_port/sluice   (inspect: /usr/share/zookeeper/bin/zkCli.sh -server 127.0.0.1:$zk_port ls -R /sluice)
  Data/logs:  $state
Try:
  kcat -b $bootstrap -L
Press Ctrl-C to stop (or run: scripts/run-local.sh stop).
MSG
# Stay in the foreground while the cluster runs; exit if ZooKeeper or a broker dies.
while alive "$zk_pidfile"; do
  for id in $(seq 1 "$brokers"); do
    if ! alive "$state/broker-$id/broker.pid"; then
      echo "broker $id exited; see $state/broker-$id/broker.log" >&2
      stop_all
      exit 1
    fi
  done
  sleep 1
done
echo "ZooKeeper exited; see $zk_dir/zookeeper.log" >&2
stop_all
exit 1
