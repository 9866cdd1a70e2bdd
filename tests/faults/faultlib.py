"""Plumbing shared by the fault tests: topic set-up, partition state through ZooKeeper and
zkCli, leaders as kcat sees them, a producer that records exactly which records were
acknowledged (and at which offset), reading partitions back, and the durability checks.

The cluster itself (ZooKeeper, brokers, stop by pid) is tests/compat/harness.py, imported here.
"""
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compat"))

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

from harness import Cluster, wait_until  # noqa: E402

class FaultCluster(Cluster):
    """Cluster that, when the test fails, also prints each broker's replication story (leader,
    ISR, truncation, session and controller lines) — the harness's plain log tail is often
    all connection noise after a fault."""

    KEYWORDS = ("leader", "ISR", "isr", "truncat", "session", "controller", "refus", "fenc", "follower",
                "ERROR", "FATAL", "started in cluster", "shutting down", "signal")

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            for b in self.brokers:
                try:
                    lines = [ln[:400] for ln in b.log().splitlines() if any(k in ln for k in self.KEYWORDS)]
                except OSError:
                    continue
                print(f"--- broker {b.id} replication events (last 60 of {len(lines)}) ---")
                print("\n".join(lines[-60:]))
            print(f"(broker logs kept in {self.workdir})")
        return super().__exit__(exc_type, exc, tb)


ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh"
SKIP = 77  # ctest SKIP_RETURN_CODE

_t0 = time.time()


def log(msg):
    print(f"[{time.time() - _t0:6.1f}s] {msg}", flush=True)


def wait_for(predicate, timeout, what):
    """wait_until with a failure message that says what was awaited and for how long."""
    return wait_until(predicate, timeout, interval=0.2, what=what)


# ---------------------------------------------------------------------------------------------
# ZooKeeper views

def zkcli_get_json(c, path):
    """`zkCli.sh get` of a chroot-relative path, parsed from its JSON line (None if absent):
    the operator's view, used at a few checkpoints (a JVM start per call is too slow to poll)."""
    out = subprocess.run([ZKCLI, "-server", c.zk, "get", c.chroot + path],
                         capture_output=True, text=True, timeout=60)
    for line in (out.stdout + out.stderr).splitlines():
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    return None


def check_survivors(c):
    """Fails if a broker exited without the test stopping or killing it, and says how: a
    negative return code is the signal that ended it (-13 SIGPIPE, -11 SIGSEGV, -6 SIGABRT)."""
    dead = [(b.id, b.proc.returncode) for b in c.brokers
            if b.proc is not None and not b.stopped_by_test and b.proc.poll() is not None]
    assert not dead, "brokers exited on their own (id, return code): " + ", ".join(map(str, dead))


def states(c, topic, partitions):
    return {p: c.partition_state(topic, p) for p in partitions}


def describe(st):
    if st is None:
        return "no state"
    return f"leader={st['leader']} epoch={st['leader_epoch']} isr={st['isr']} zkv={st['zk_version']}"


def wait_isr(c, topic, partitions, pred, timeout, what):
    """Waits until pred(state) holds for every partition; returns the states."""
    last = {}

    def ok():
        check_survivors(c)  # a crashed broker explains a timeout better than the timeout
        for p in partitions:
            last[p] = c.partition_state(topic, p)
            if last[p] is None or not pred(last[p]):
                return None
        return dict(last)
    try:
        return wait_for(ok, timeout, what)
    except TimeoutError as e:
        raise AssertionError(f"{e}; last states: " +
                             "; ".join(f"p{p}: {describe(s)}" for p, s in last.items())) from None


def wait_in_isr(c, topic, partitions, broker_id, timeout=30):
    return wait_isr(c, topic, partitions, lambda s: broker_id in s["isr"] and s["leader"] >= 0, timeout,
                    f"broker {broker_id} back in the ISR of {topic} {list(partitions)}")


def wait_full_isr(c, topic, partitions, replicas, timeout=30):
    return wait_isr(c, topic, partitions,
                    lambda s: s["leader"] >= 0 and sorted(s["isr"]) == sorted(replicas), timeout,
                    f"ISR {sorted(replicas)} on {topic} {list(partitions)}")


# ---------------------------------------------------------------------------------------------
# Kafka clients

def create_topic(c, topic, partitions, rf, config=None, timeout=30, assignment=None):
    """Creates the topic through CreateTopics and waits until every partition has a leader.
    `assignment` ([[replicas of p0], [replicas of p1], ...]) fixes the replicas (the first
    one is the preferred leader) instead of `partitions` and `rf`."""
    admin = AdminClient({"bootstrap.servers": c.bootstrap})
    if assignment:
        new = NewTopic(topic, num_partitions=len(assignment), replica_assignment=assignment, config=config or {})
        partitions = len(assignment)
    else:
        new = NewTopic(topic, num_partitions=partitions, replication_factor=rf, config=config or {})
    # A broker that has just started may not be in every other broker's metadata yet; Kafka
    # answers INVALID_REPLICATION_FACTOR then (INVALID_REPLICA_ASSIGNMENT "not alive" for a
    # manual assignment), and so may we: retry for a while.
    deadline = time.time() + timeout
    while True:
        try:
            admin.create_topics([new], operation_timeout=20)[topic].result(timeout)
            break
        except KafkaException as e:
            retriable = e.args[0].code() == KafkaError.INVALID_REPLICATION_FACTOR or (
                e.args[0].code() == KafkaError.INVALID_REPLICA_ASSIGNMENT and "not alive" in e.args[0].str())
            if not retriable or time.time() > deadline:
                raise
            log(f"create {topic}: {e.args[0].str()}; retrying")
            time.sleep(0.5)
    return wait_isr(c, topic, range(partitions), lambda s: s["leader"] >= 0, timeout,
                    f"leaders of new topic {topic}")


def kcat_leaders(bootstrap, topic):
    """{partition: leader} from `kcat -L -J` (the clients' view: Metadata); {} on failure."""
    out = subprocess.run(["kcat", "-b", bootstrap, "-L", "-J", "-t", topic, "-m", "5"],
                         capture_output=True, text=True, timeout=30)
    try:
        meta = json.loads(out.stdout)
    except ValueError:
        return {}
    for t in meta.get("topics", []):
        if t.get("topic") == topic:
            return {p["partition"]: p.get("leader", -1) for p in t.get("partitions", [])}
    return {}


def bootstrap_of(brokers):
    return ",".join(b.bootstrap for b in brokers)


class AckedProducer:
    """Produces numbered records to explicit partitions from a background thread and records
    which were acknowledged. Record i of partition p has key "p-i" and value
    "<tag>|p|i"; the delivery report gives the offset it was acknowledged at.

    max.in.flight=1 keeps the acknowledged order equal to the send order even when retries
    happen (idempotence is off, so a retry may still write a second copy)."""

    def __init__(self, bootstrap, topic, partitions, acks="all", rate=150, tag="r", config=None):
        self.topic = topic
        self.partitions = list(partitions)
        self.tag = tag
        self.rate = rate  # records per second over all partitions
        conf = {
            "bootstrap.servers": bootstrap,
            "acks": acks,
            "enable.idempotence": False,
            "retries": 1000000,
            "retry.backoff.ms": 100,
            "message.timeout.ms": 60000,
            "request.timeout.ms": 10000,
            "max.in.flight.requests.per.connection": 1,
            "linger.ms": 5,
            "topic.metadata.refresh.interval.ms": 1000,
        }
        conf.update(config or {})
        self.producer = Producer(conf)
        self.lock = threading.Lock()
        self.sent = {p: 0 for p in self.partitions}
        self.acked = {p: [] for p in self.partitions}  # (seq, offset, value, time)
        self.failed = []  # (partition, seq, error)
        self._stop = threading.Event()
        self._thread = None

    def _callback(self, p, seq):
        def cb(err, msg):
            with self.lock:
                if err is None:
                    self.acked[p].append((seq, msg.offset(), msg.value().decode(), time.time()))
                else:
                    self.failed.append((p, seq, err))
        return cb

    def produce_one(self, p):
        seq = self.sent[p]
        self.sent[p] += 1
        value = f"{self.tag}|{p}|{seq}"
        while True:
            try:
                self.producer.produce(self.topic, partition=p, key=f"{p}-{seq}".encode(), value=value.encode(),
                                      on_delivery=self._callback(p, seq))
                return value
            except BufferError:
                self.producer.poll(0.1)

    def _run(self):
        interval = len(self.partitions) / float(self.rate)
        while not self._stop.is_set():
            for p in self.partitions:
                self.produce_one(p)
            self.producer.poll(0)
            self._stop.wait(interval)

    def start(self):
        self._thread = threading.Thread(target=self._run, name=f"producer-{self.tag}", daemon=True)
        self._thread.start()
        return self

    def acked_count(self):
        with self.lock:
            return sum(len(v) for v in self.acked.values())

    def stop(self, flush_timeout=90):
        """Stops producing and waits for every delivery report; returns how many are missing."""
        self.abort()
        return self.producer.flush(flush_timeout)

    def abort(self):
        """Stops producing without waiting for outstanding deliveries (for finally blocks)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None

    def summary(self):
        with self.lock:
            acked = sum(len(v) for v in self.acked.values())
            return f"{self.tag}: sent {sum(self.sent.values())}, acked {acked}, failed {len(self.failed)}"


def read_partition(bootstrap, topic, p, timeout=60):
    """Every record of the partition from its start up to the high watermark, as
    [(offset, value)] (read through the current leader)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"faults-read-{topic}-{p}",
                         "enable.auto.commit": False, "enable.partition.eof": True,
                         "auto.offset.reset": "earliest", "fetch.wait.max.ms": 100})
    try:
        tp = TopicPartition(topic, p)
        deadline = time.time() + timeout
        high = None
        while high is None:
            try:
                _low, high = consumer.get_watermark_offsets(tp, timeout=10)
            except Exception as e:  # noqa: BLE001 - retried until the deadline
                if time.time() > deadline:
                    raise AssertionError(f"{topic}-{p}: no watermarks within {timeout}s: {e}") from None
                time.sleep(0.5)
        consumer.assign([TopicPartition(topic, p, 0)])
        got = []
        while (not got or got[-1][0] < high - 1) and high > 0:
            if time.time() > deadline:
                raise AssertionError(f"{topic}-{p}: read {len(got)} records up to offset "
                                     f"{got[-1][0] if got else None}, high watermark {high}, in {timeout}s")
            m = consumer.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    if got and got[-1][0] >= high - 1:
                        break
                    continue
                log(f"{topic}-{p}: consumer error {m.error()}")
                continue
            got.append((m.offset(), m.value().decode() if m.value() is not None else None))
        return got
    finally:
        consumer.close()


def check_acked_durable(producers, logs, strict_order=True, exactly_once=False):
    """The durability property. `logs` is {partition: [(offset, value)]} read from the final
    cluster. Asserts, per partition: offsets strictly increase; every acknowledged record sits
    at exactly the offset it was acknowledged at (so it is present, and nothing acknowledged
    was truncated or overwritten); acknowledged records of one producer appear in send order.
    Returns a summary (duplicates are counted, not failed: with idempotence off a retry after
    a lost response writes a second copy of a record that was not acknowledged the first time).

    strict_order=False only counts acknowledgements out of send order instead of failing: a
    producer without idempotence may itself reorder when a request times out (the records of
    the timed-out request are retried after later ones went out, seen with librdkafka 2.0.2
    against a frozen leader); the broker appends in the order requests arrive.

    exactly_once=True (idempotent producers): any second copy of a record fails too."""
    problems = []
    dup_total = 0
    reordered = 0
    unacked_present = 0
    acked_total = 0
    for p, recs in logs.items():
        offsets = [o for o, _ in recs]
        for a, b in zip(offsets, offsets[1:]):
            if b <= a:
                problems.append(f"p{p}: offsets not strictly increasing: {a} then {b}")
                break
        at = dict(recs)
        counts = {}
        for _, v in recs:
            counts[v] = counts.get(v, 0) + 1
        dups = {v: n for v, n in counts.items() if n > 1}
        dup_total += sum(n - 1 for n in dups.values())
        if exactly_once and dups:
            problems.append(f"p{p}: {len(dups)} records written more than once, e.g. "
                            f"{sorted(dups.items())[:3]}")
        acked_values = set()
        for prod in producers:
            acked = sorted(prod.acked.get(p, []))
            acked_total += len(acked)
            missing = [(s, o, v) for s, o, v, _ in acked if at.get(o) != v]
            for s, o, v in missing[:5]:
                where = [oo for oo, vv in recs if vv == v]
                problems.append(f"p{p}: acknowledged {v!r} at offset {o}, but the log has "
                                f"{at.get(o)!r} there (value found at offsets {where})")
            if len(missing) > 5:
                problems.append(f"p{p}: ... {len(missing)} acknowledged records of {prod.tag} "
                                "not at their offset")
            prev = None
            for s, o, v, _ in acked:
                if prev is not None and o <= prev[1]:
                    reordered += 1
                    if strict_order:
                        around = [(oo, vv) for oo, vv in recs
                                  if o - 3 <= oo <= o + 3 or prev[1] - 3 <= oo <= prev[1] + 3]
                        problems.append(f"p{p}: {prod.tag} seq {s} acknowledged at offset {o}, "
                                        f"not after seq {prev[0]} at {prev[1]}; log there: {around}")
                        break
                    if reordered <= 5:
                        log(f"p{p}: {prod.tag} seq {s} acknowledged at offset {o}, before seq {prev[0]} "
                            f"at {prev[1]} (client retry order)")
                prev = (s, o)
            acked_values.update(v for _, _, v, _ in acked)
        unacked_present += sum(1 for v in counts if v not in acked_values)
    assert not problems, "durability violated:\n  " + "\n  ".join(problems)
    return (f"{acked_total} acknowledged records all at their offsets; {dup_total} duplicate copies; "
            f"{unacked_present} unacknowledged records present; {reordered} acknowledged out of send order")


def read_all(c, topic, partitions, timeout=60):
    return {p: read_partition(live_bootstrap(c), topic, p, timeout) for p in partitions}


def live_bootstrap(c):
    """Bootstrap list of the brokers that are running and not paused."""
    return bootstrap_of([b for b in c.brokers if b.running() and not b.paused])
