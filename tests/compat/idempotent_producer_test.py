#!/usr/bin/python3
"""Idempotent producer (KIP-98) across leader failures.

Three brokers; a topic with 2 partitions, replication factor 3 and min.insync.replicas=2. A
confluent_kafka (librdkafka) producer with enable.idempotence=true (so acks=all, up to 5
requests in flight per partition, retries without limit) writes numbered records to both
partitions from a background thread while the test SIGKILLs the leader of partition 0 twice
and restarts it (same id, port and data directory) each time.

Checked at the end: no delivery failed and the producer raised no fatal error; every record
in each partition is there exactly once — the acknowledged ones at the offset they were
acknowledged at — and in send order; InitProducerId got its id from a block claimed in
/latest_producer_id_block (Kafka's znode and payload).

Then, when KafkaJS is installed (SLUICE_KAFKAJS_DIR/node_modules, as the kafkajs test installs
it), KafkaJS's idempotent producer writes 1000 records, which must each be there once.
(kafka-python 2.0.2 has no idempotent producer.)
"""
import json
import os
import subprocess
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from harness import Cluster, wait_until

TOPIC = "idempotent"
PARTS = [0, 1]
BROKER_ENV = {
    "SLUICE_DEFAULT_REPLICATION_FACTOR": "3",
    "SLUICE_REPLICA_LAG_TIME_MAX_MS": "10000",
    "SLUICE_ZOOKEEPER_SESSION_TIMEOUT_MS": "6000",
}
_t0 = time.time()


def log(msg):
    print(f"[{time.time() - _t0:6.1f}s] {msg}", flush=True)


def states(c):
    return {p: c.partition_state(TOPIC, p) for p in PARTS}


def wait_states(c, pred, timeout, what):
    last = {}

    def ok():
        for b in c.brokers:
            assert b.stopped_by_test or b.running(), f"broker {b.id} exited on its own"
        last.update(states(c))
        return all(s is not None and pred(s) for s in last.values()) and dict(last)
    try:
        return wait_until(ok, timeout, interval=0.2, what=what)
    except TimeoutError as e:
        raise AssertionError(f"{e}; last states: {last}") from None


def create_topic(c):
    admin = AdminClient({"bootstrap.servers": c.bootstrap})
    new = NewTopic(TOPIC, num_partitions=len(PARTS), replication_factor=3,
                   config={"min.insync.replicas": "2"})
    deadline = time.time() + 30
    while True:
        try:
            admin.create_topics([new], operation_timeout=20)[TOPIC].result(30)
            break
        except KafkaException as e:
            # A broker that just started may be missing from another's metadata for a moment.
            if e.args[0].code() != KafkaError.INVALID_REPLICATION_FACTOR or time.time() > deadline:
                raise
            time.sleep(0.5)
    return wait_states(c, lambda s: s["leader"] >= 0 and len(s["isr"]) == 3, 30, "leaders and full ISRs")


class IdempotentProducer:
    """Numbered records "p|i" per partition from a background thread; remembers which were
    acknowledged at which offset, which failed, and any error the client raised."""

    def __init__(self, bootstrap, rate=1000):
        self.producer = Producer({
            "bootstrap.servers": bootstrap,
            "enable.idempotence": True,
            "linger.ms": 5,
            "retry.backoff.ms": 100,
            "message.timeout.ms": 120000,
            "request.timeout.ms": 10000,
            "topic.metadata.refresh.interval.ms": 1000,
            "error_cb": self._error,
        })
        self.rate = rate
        self.lock = threading.Lock()
        self.sent = {p: 0 for p in PARTS}
        self.acked = {p: [] for p in PARTS}  # (seq, offset)
        self.failed = []
        self.errors = []  # (fatal, error)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="idempotent-producer", daemon=True)

    def _error(self, err):
        with self.lock:
            self.errors.append((err.fatal(), str(err)))

    def _delivered(self, p, seq):
        def cb(err, msg):
            with self.lock:
                if err is None:
                    self.acked[p].append((seq, msg.offset()))
                else:
                    self.failed.append((p, seq, str(err)))
        return cb

    def _run(self):
        interval = len(PARTS) / float(self.rate)
        while not self._stop.is_set():
            for p in PARTS:
                seq = self.sent[p]
                while True:
                    try:
                        self.producer.produce(TOPIC, partition=p, value=f"{p}|{seq}".encode(),
                                              on_delivery=self._delivered(p, seq))
                        break
                    except BufferError:
                        self.producer.poll(0.1)
                self.sent[p] += 1
            self.producer.poll(0)
            self._stop.wait(interval)

    def start(self):
        self._thread.start()
        return self

    def acked_count(self):
        with self.lock:
            return sum(len(v) for v in self.acked.values())

    def stop(self):
        self._stop.set()
        self._thread.join(30)
        return self.producer.flush(150)

    def summary(self):
        with self.lock:
            return (f"sent {sum(self.sent.values())}, acked {sum(len(v) for v in self.acked.values())}, "
                    f"failed {len(self.failed)}, client errors {len(self.errors)}")


def read_partition(bootstrap, p, timeout=60, topic=TOPIC):
    """[(offset, value)] of the whole partition up to its high watermark."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"idem-read-{topic}-{p}",
                         "enable.auto.commit": False, "enable.partition.eof": True,
                         "auto.offset.reset": "earliest", "fetch.wait.max.ms": 100})
    try:
        tp = TopicPartition(topic, p)
        deadline = time.time() + timeout
        while True:
            try:
                _low, high = consumer.get_watermark_offsets(tp, timeout=10)
                break
            except KafkaException:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        consumer.assign([TopicPartition(topic, p, 0)])
        got = []
        while high > 0 and (not got or got[-1][0] < high - 1):
            assert time.time() < deadline, f"p{p}: read {len(got)} records, high watermark {high}"
            m = consumer.poll(0.5)
            if m is None or (m.error() and m.error().code() == KafkaError._PARTITION_EOF):
                continue
            if m.error():
                log(f"p{p}: consumer error {m.error()}")
                continue
            got.append((m.offset(), m.value().decode()))
        return got
    finally:
        consumer.close()


def kill_leader_and_restart(c, producer, round_no):
    before = wait_states(c, lambda s: s["leader"] >= 0 and len(s["isr"]) == 3, 60, "full ISRs")
    victim = c.broker(before[0]["leader"])
    acked_before = producer.acked_count()
    log(f"round {round_no}: SIGKILL leader of p0, broker {victim.id} (pid {victim.pid}); {before}")
    victim.kill()
    after = wait_states(c, lambda s: s["leader"] >= 0 and s["leader"] != victim.id, 30,
                        f"a new leader instead of broker {victim.id}")
    log(f"round {round_no}: new leaders {({p: s['leader'] for p, s in after.items()})}")
    # The producer must get going again on the new leader before the victim comes back.
    wait_until(lambda: producer.acked_count() > acked_before + 300, 60, 0.2, "acks after the failover")
    victim.restart()
    wait_states(c, lambda s: victim.id in s["isr"], 60, f"broker {victim.id} back in the ISR")
    log(f"round {round_no}: broker {victim.id} back in every ISR; producer {producer.summary()}")


def check_log(p, records, producer):
    """Exactly once and in order: every value of the partition appears once, its sequence
    numbers increase with the offsets, and every acknowledged record sits at its offset."""
    problems = []
    seqs = []
    for offset, value in records:
        part, seq = value.split("|")
        if int(part) != p:
            problems.append(f"p{p}: offset {offset} holds {value!r}")
        seqs.append(int(seq))
    seen = {}
    for (offset, _), seq in zip(records, seqs):
        if seq in seen:
            problems.append(f"p{p}: record {seq} at offsets {seen[seq]} and {offset}")
        seen[seq] = offset
    for a, b in zip(seqs, seqs[1:]):
        if b <= a:
            problems.append(f"p{p}: record {b} after record {a}")
            break
    acked = sorted(producer.acked[p])
    for seq, offset in acked:
        if seen.get(seq) != offset:
            problems.append(f"p{p}: record {seq} acknowledged at offset {offset}, in the log at {seen.get(seq)}")
    if acked and seqs and seqs != list(range(len(seqs))):
        # Idempotence with acks=all loses nothing that was acknowledged, and the producer
        # retries everything else until it is written: nothing may be missing in between.
        missing = sorted(set(range(max(seqs) + 1)) - set(seqs))
        if missing:
            problems.append(f"p{p}: records missing from the log: {missing[:10]}")
    return problems


def kafkajs_check(c):
    prefix = os.environ.get("SLUICE_KAFKAJS_DIR", "")
    if not os.path.isdir(os.path.join(prefix, "node_modules", "kafkajs")):
        log("KafkaJS not installed (SLUICE_KAFKAJS_DIR): its idempotent producer is not checked")
        return
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kafkajs", "idempotent_produce.js")
    topic = "idempotent-kjs"
    admin = AdminClient({"bootstrap.servers": c.bootstrap})  # must outlive the result
    admin.create_topics(
        [NewTopic(topic, num_partitions=2, replication_factor=3, config={"min.insync.replicas": "2"})],
        operation_timeout=20)[topic].result(30)
    out = subprocess.run(["node", script], capture_output=True, text=True, timeout=120, cwd=prefix,
                         env=dict(os.environ, BOOTSTRAP=c.bootstrap, TOPIC=topic,
                                  NODE_PATH=os.path.join(prefix, "node_modules")))
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    values = []
    for p in PARTS:
        recs = read_partition(c.bootstrap, p, topic=topic)
        offsets = [o for o, _ in recs]
        assert offsets == list(range(len(recs))), f"{topic}-{p}: offsets {offsets[:20]}..."
        values += [v for _, v in recs]
    assert sorted(values) == sorted(f"kjs|{i}" for i in range(result["sent"])), \
        f"KafkaJS: {len(values)} records for {result['sent']} sent"
    log(f"KafkaJS idempotent producer: {result['sent']} records, each once")


def main():
    with Cluster(brokers=3, broker_env=BROKER_ENV) as c:
        create_topic(c)
        producer = IdempotentProducer(c.bootstrap).start()
        try:
            wait_until(lambda: producer.acked_count() > 500, 60, 0.2, "first acknowledgements")
            for round_no in (1, 2):
                kill_leader_and_restart(c, producer, round_no)
            settled = producer.acked_count()
            wait_until(lambda: producer.acked_count() > settled + 300, 60, 0.2, "acks after the last restart")
        finally:
            left = producer.stop()
        log(f"producer stopped: {producer.summary()}, {left} not delivered")
        for fatal, err in producer.errors[:10]:
            log(f"client error (fatal={fatal}): {err}")
        assert left == 0, f"{left} records never delivered"
        assert not producer.failed, f"delivery failures: {producer.failed[:10]}"
        fatal = [e for f, e in producer.errors if f]
        assert not fatal, f"fatal producer errors: {fatal}"

        logs = {p: read_partition(c.bootstrap, p) for p in PARTS}
        problems = []
        for p in PARTS:
            assert len(logs[p]) == producer.sent[p], \
                f"p{p}: {len(logs[p])} records in the log, {producer.sent[p]} sent and acknowledged"
            problems += check_log(p, logs[p], producer)
        assert not problems, "exactly-once in order violated:\n  " + "\n  ".join(problems[:30])
        log(f"{sum(len(v) for v in logs.values())} records, each once and in send order")

        block = c.zk_get_json("/latest_producer_id_block")
        assert block is not None, "no /latest_producer_id_block"
        assert block["version"] == 1 and block["broker"] in (1, 2, 3), block
        start, end = int(block["block_start"]), int(block["block_end"])
        assert end - start + 1 == 1000 and start % 1000 == 0, block
        log(f"/latest_producer_id_block: {json.dumps(block)}")
        kafkajs_check(c)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
