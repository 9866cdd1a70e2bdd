#!/usr/bin/env bash
# The main command: installs what is missing, builds, and runs a local Sluice cluster on
# loopback — a real ZooKeeper server from Debian's `zookeeper` package (and, once the broker
# exists, three brokers). Data and logs live in .local-cluster/ and survive restarts.
#
#   scripts/run-local.sh          start (foreground; Ctrl-C stops everything cleanly)
#   scripts/run-local.sh stop     stop a cluster started in another terminal
#   scripts/run-local.sh status   show what is running
#
# Environment: SLUICE_ZK_PORT (default 2181), SLUICE_LOCAL_DIR (default .local-cluster).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=${SLUICE_LOCAL_DIR:-$root/.local-cluster}
zk_port=${SLUICE_ZK_PORT:-2181}
zk_dir=$state/zookeeper
zk_pidfile=$zk_dir/zk.pid

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
  stop_pidfile "$zk_pidfile" "ZooKeeper"
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
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: $0 [start|stop|status]" >&2
    exit 2
    ;;
esac

"$root/scripts/setup.sh"
SLUICE_BUILD_DIR=${SLUICE_BUILD_DIR:-$root/build} "$root/scripts/build.sh" -DSLUICE_SANITIZE=OFF

trap 'echo; stop_all; exit 0' INT TERM
start_zookeeper
cat <<MSG

Sluice local cluster is up.
  ZooKeeper:  127.0.0.1:$zk_port   (inspect: /usr/share/zookeeper/bin/zkCli.sh -server 127.0.0.1:$zk_port)
  Data/logs:  $state
Press Ctrl-C to stop (or run: scripts/run-local.sh stop).
MSG
# Stay in the foreground while the cluster runs; exit if ZooKeeper dies.
while alive "$zk_pidfile"; do sleep 1; done
echo "ZooKeeper exited; see $zk_dir/zookeeper.log" >&2
stop_all
exit 1
