"""Real ZooKeeper + real sluice-broker processes for the Python compatibility tests.

Every process is started here and stopped by pid (SIGTERM, then SIGKILL) when the `Cluster`
context ends, also when the test fails. Paths to the binaries come from the environment that
ctest sets: SLUICE_BROKER_BIN and SLUICE_TEST_ZK_BIN.
"""
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
            return low if low > 2048 else 32768
    except (OSError, ValueError, IndexError):
        return 32768


def free_port(count=1) -> int:
    """A free loopback port (the first of `count` consecutive ones), chosen at random below the
    kernel's ephemeral range: the tests' own outgoing connections take ephemeral ports and
    could otherwise take it between this choice and the server's bind."""
    high = _ephemeral_low()
    low = max(1024, high - 12000)
    for _ in range(200):
        base = random.randrange(low, high - count)
        socks = []
        try:
            for p in range(base, base + count):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=30.0, interval=0.1, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


class Broker:
    def __init__(self, broker_id, zk_connect, workdir, extra_env=None):
        self.id = broker_id
        self.port = free_port()
        self.host = "127.0.0.1"  # where clients reach it (bootstrap); see also SLUICE_LISTENERS
        self.dir = os.path.join(workdir, f"broker-{broker_id}")
        os.makedirs(os.path.join(self.dir, "data"), exist_ok=True)
        self.log_path = os.path.join(self.dir, "broker.log")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "SLUICE_LOG_LEVEL": os.environ.get("SLUICE_LOG_LEVEL", "info"),
            "SLUICE_BROKER_ID": str(broker_id),
            "SLUICE_ZOOKEEPER_CONNECT": zk_connect,
            "SLUICE_LISTENERS": f"PLAINTEXT://127.0.0.1:{self.port}",
            "SLUICE_LOG_DIRS": os.path.join(self.dir, "data"),
            "SLUICE_ZOOKEEPER_SESSION_TIMEOUT_MS": "6000",
        }
        self.env.update(extra_env or {})
        self.proc = None
        self.paused = False
        self.stopped_by_test = False  # set by stop()/kill(): an exit the test asked for
        self.started_before = False
        # Prepended to the broker's command line, e.g. ["ip", "netns", "exec", NS] (which execs
        # the broker, so the pid stays the broker's).
        self.command_prefix = []

    @property
    def bootstrap(self):
        return f"{self.host}:{self.port}"

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def start(self, timeout=30.0):
        # The port was free when chosen, but a test running in parallel may bind it first: a
        # first start that finds it taken moves to another port (restarts keep theirs).
        for attempt in range(1, 4):
            try:
                return self._start_once(timeout)
            except RuntimeError as e:
                if self.started_before or "Address already in use" not in str(e) or attempt == 3:
                    raise
                self.port = free_port()
                listener = self.env["SLUICE_LISTENERS"]  # a test may have changed its host
                self.env["SLUICE_LISTENERS"] = f"{listener.rsplit(':', 1)[0]}:{self.port}"

    def _start_once(self, timeout):
        # The log is appended to across restarts: only a start line written by this run counts.
        start_at = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command_prefix + [os.environ["SLUICE_BROKER_BIN"]],
                                     env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self.paused = False
        self.stopped_by_test = False
        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"broker {self.id} exited:\n{self.log()[-4000:]}")
            with open(self.log_path, "rb") as f:
                f.seek(start_at)
                return b"started in cluster" in f.read()
        wait_until(ready, timeout, what=f"broker {self.id} start")
        self.started_before = True

    @property
    def pid(self):
        return self.proc.pid if self.proc is not None else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def pause(self):
        """SIGSTOP: the process keeps its sockets and its ZooKeeper session (until it times out)."""
        self.proc.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self):
        if self.running():
            self.proc.send_signal(signal.SIGCONT)
        self.paused = False

    def restart(self, timeout=60.0):
        """Starts a stopped or killed broker again: same id, port and data directory."""
        if self.running():
            raise RuntimeError(f"broker {self.id} is still running (pid {self.pid})")
        self.start(timeout)

    def stop(self, sig=signal.SIGTERM, timeout=20.0):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.stopped_by_test = True
        if self.paused and sig != signal.SIGKILL:
            self.resume()  # a stopped process would not act on SIGTERM
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def kill(self):
        self.stop(signal.SIGKILL)

    def brokers_seen(self):
        """How many brokers this broker's Metadata (v1, no topics) lists; -1 if it does not answer."""
        client_id = b"harness"
        body = struct.pack(">hhih", 3, 1, 1, len(client_id)) + client_id + struct.pack(">i", 0)
        try:
            with socket.create_connection((self.host, self.port), timeout=5) as s:
                s.sendall(struct.pack(">i", len(body)) + body)
                head = b""
                while len(head) < 12:  # size, correlation id, broker count
                    chunk = s.recv(12 - len(head))
                    if not chunk:
                        return -1
                    head += chunk
                return struct.unpack(">iii", head)[2]
        except OSError:
            return -1


class Cluster:
    """with Cluster(brokers=1) as c: c.bootstrap ..."""

    def __init__(self, brokers=1, broker_env=None, chroot="/sluice", zk_tick_ms=None):
        self.workdir = tempfile.mkdtemp(prefix="sluice-compat-")
        self.zk_dir = os.path.join(self.workdir, "zk")
        # ZooKeeper grants session timeouts between 2 and 20 ticks; sluice-test-zk's default
        # tick (250 ms) caps sessions at 5 s.
        self.zk_tick_ms = zk_tick_ms
        self.n = brokers
        self.broker_env = broker_env or {}
        self.chroot = chroot
        self.brokers = []
        self.zk = None

    @property
    def bootstrap(self):
        return ",".join(b.bootstrap for b in self.brokers)

    @property
    def zk_connect(self):
        return self.zk + self.chroot

    def __enter__(self):
        tick = ["--tick-ms", str(self.zk_tick_ms)] if self.zk_tick_ms else []
        out = subprocess.run([os.environ["SLUICE_TEST_ZK_BIN"], "start", "--dir", self.zk_dir, *tick],
                             check=True, capture_output=True, text=True)
        self.zk = out.stdout.strip()
        try:
            for i in range(1, self.n + 1):
                b = Broker(i, self.zk_connect, self.workdir, self.broker_env)
                b.start()
                self.brokers.append(b)
            # Brokers learn of those registered after them through a watch: hand the cluster
            # over once each one's Metadata lists all (a replicated topic created earlier
            # could be refused with INVALID_REPLICATION_FACTOR).
            for b in self.brokers:
                wait_until(lambda: b.brokers_seen() == self.n, 30, what=f"broker {b.id} to see {self.n} brokers")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def broker(self, broker_id):
        return next(b for b in self.brokers if b.id == broker_id)

    # ZooKeeper reads (paths relative to the chroot), through ZkReader: fast enough to poll.
    def zk_get_json(self, path):
        got = ZkReader(self.zk).get(self.chroot + path)
        return json.loads(got[0]) if got and got[0] else None

    def partition_state(self, topic, partition):
        """{"controller_epoch","leader","version","leader_epoch","isr"} plus "zk_version" (the
        znode's data version), or None while the znode does not exist."""
        got = ZkReader(self.zk).get(f"{self.chroot}/brokers/topics/{topic}/partitions/{partition}/state")
        if not got or not got[0]:
            return None
        state = json.loads(got[0])
        state["zk_version"] = got[1]["version"]
        return state

    def controller_id(self):
        ctl = self.zk_get_json("/controller")
        return ctl["brokerid"] if ctl else None

    def registered_broker_ids(self):
        return sorted(int(c) for c in ZkReader(self.zk).children(self.chroot + "/brokers/ids") or [])

    def __exit__(self, exc_type, exc, tb):
        failed = exc_type is not None
        for b in self.brokers:
            if failed:
                print(f"--- broker {b.id} log tail ---\n{b.log()[-3000:]}")
            b.stop()
        subprocess.run([os.environ["SLUICE_TEST_ZK_BIN"], "stop", "--dir", self.zk_dir], check=False)
        if not failed and not os.environ.get("SLUICE_KEEP_TEST_DIRS"):
            shutil.rmtree(self.workdir, ignore_errors=True)
        return False


class ZkReader:
    """A read-only ZooKeeper client speaking the jute protocol directly (there is no kazoo):
    one short session per call, get/children of an absolute path. Returns None for a missing
    node; raises OSError/ConnectionError when the server cannot be reached."""

    def __init__(self, server, timeout=5.0):
        host, port = server.rsplit(":", 1)
        self.addr = (host, int(port.split("/")[0]))
        self.timeout = timeout

    @staticmethod
    def _recv_exact(sock, n):
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("ZooKeeper closed the connection")
            buf += chunk
        return buf

    def _frame(self, sock):
        (n,) = struct.unpack(">i", self._recv_exact(sock, 4))
        return self._recv_exact(sock, n)

    def _call(self, op, path):
        with socket.create_connection(self.addr, timeout=self.timeout) as sock:
            # ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly
            body = struct.pack(">iqiqi", 0, 0, 10000, 0, 16) + b"\0" * 16 + b"\0"
            sock.sendall(struct.pack(">i", len(body)) + body)
            self._frame(sock)
            p = path.encode()
            body = struct.pack(">ii", 1, op) + struct.pack(">i", len(p)) + p + b"\0"  # watch=false
            sock.sendall(struct.pack(">i", len(body)) + body)
            reply = self._frame(sock)
            xid, _zxid, err = struct.unpack(">iqi", reply[:16])
            close = struct.pack(">ii", 2, -11)  # closeSession
            try:
                sock.sendall(struct.pack(">i", len(close)) + close)
            except OSError:
                pass
            if err == -101:  # NONODE
                return None
            if err != 0:
                raise RuntimeError(f"ZooKeeper error {err} for {path}")
            return reply[16:]

    def get(self, path):
        """(data bytes, stat dict) or None."""
        r = self._call(4, path)
        if r is None:
            return None
        (n,) = struct.unpack(">i", r[:4])
        data = r[4:4 + n] if n > 0 else b""
        st = r[4 + max(n, 0):]
        (czxid, mzxid, ctime, mtime, version, cversion, aversion, owner, dlen, nchildren,
         pzxid) = struct.unpack(">qqqqiiiqiiq", st[:68])
        return data, {"version": version, "ephemeral_owner": owner, "mtime": mtime,
                      "num_children": nchildren}

    def children(self, path):
        r = self._call(8, path)
        if r is None:
            return None
        (count,) = struct.unpack(">i", r[:4])
        out, pos = [], 4
        for _ in range(max(count, 0)):
            (n,) = struct.unpack(">i", r[pos:pos + 4])
            out.append(r[pos + 4:pos + 4 + n].decode())
            pos += 4 + n
        return out
