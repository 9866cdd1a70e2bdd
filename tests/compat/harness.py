"""Real ZooKeeper + real sluice-broker processes for the Python compatibility tests.

Every process is started here and stopped by pid (SIGTERM, then SIGKILL) when the `Cluster`
context ends, also when the test fails. Paths to the binaries come from the environment that
ctest sets: SLUICE_BROKER_BIN and SLUICE_TEST_ZK_BIN.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def free_port() -> int:
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

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def start(self, timeout=30.0):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([os.environ["SLUICE_BROKER_BIN"]], env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"broker {self.id} exited:\n{self.log()[-4000:]}")
            return "started in cluster" in self.log()
        wait_until(ready, timeout, what=f"broker {self.id} start")

    def stop(self, sig=signal.SIGTERM, timeout=20.0):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def kill(self):
        self.stop(signal.SIGKILL)


class Cluster:
    """with Cluster(brokers=1) as c: c.bootstrap ..."""

    def __init__(self, brokers=1, broker_env=None, chroot="/sluice"):
        self.workdir = tempfile.mkdtemp(prefix="sluice-compat-")
        self.zk_dir = os.path.join(self.workdir, "zk")
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
        out = subprocess.run([os.environ["SLUICE_TEST_ZK_BIN"], "start", "--dir", self.zk_dir],
                             check=True, capture_output=True, text=True)
        self.zk = out.stdout.strip()
        try:
            for i in range(1, self.n + 1):
                b = Broker(i, self.zk_connect, self.workdir, self.broker_env)
                b.start()
                self.brokers.append(b)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

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
