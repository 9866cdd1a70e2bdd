#!/usr/bin/python3
"""The Sluice C++ client (client/) and other Kafka clients read each other's records, on a real
three-broker cluster:

(a) records produced by the C++ client (client_interop_driver produce) with every codec are
    read intact by confluent_kafka and by kcat -J: keys, values, null and empty ones, binary
    bytes, headers (with a null value and a repeated key), offsets and timestamps; the batches
    on disk carry the codec;
(b) the same records produced by confluent_kafka with every codec, and by kafka-python, are
    read intact by the C++ client (client_interop_driver consume);
(c) keyed records land on the same partition of a 6-partition topic with the C++ client's
    default partitioner as with librdkafka's murmur2_random (Java's partitioner).

SLUICE_INTEROP_DRIVER is the driver's path (set by ctest)."""
import base64
import ctypes
import glob
import json
import os
import struct
import subprocess
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from harness import Cluster

DRIVER = os.environ.get("SLUICE_INTEROP_DRIVER", "")
CODECS = ("none", "gzip", "snappy", "lz4", "zstd")
CODEC_IDS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
N = 300  # kRecordCount in client_interop_driver.cpp
BASE_TS = 1700000000000


def binary_bytes(i, length):
    return bytes((i * 31 + j * 7) & 0xFF for j in range(length))


def expected_record(i):
    """Record i of the fixed set: (timestamp, key, value, headers), in step with record_at()
    in client_interop_driver.cpp."""
    key = {0: None, 1: b"", 2: binary_bytes(i, 16)}.get(i % 10, f"key-{i}".encode())
    if i % 11 == 0:
        value = None
    elif i % 11 == 1:
        value = b""
    elif i % 11 == 2:
        value = binary_bytes(i, 256)
    else:
        value = f"value-{i}-".encode() + b"abcdefghij" * (i % 20)
    headers = [("h1", f"v{i}".encode()), ("null-header", None), ("bin", binary_bytes(i, 5)),
               ("h1", b"dup")][: i % 5]
    return BASE_TS + i, key, value, headers


def expected_rows():
    """What a reader of partition 0 must see: (offset, timestamp, key, value, headers)."""
    return [(i, *expected_record(i)) for i in range(N)]


def compare(who, got, expected=None):
    expected = expected if expected is not None else expected_rows()
    assert len(got) == len(expected), f"{who}: {len(got)} records, expected {len(expected)}"
    for g, e in zip(got, expected):
        assert g == e, f"{who}: record at offset {e[0]} differs:\n got      {g!r}\n expected {e!r}"


def run(cmd, timeout=120):
    out = subprocess.run(cmd, capture_output=True, timeout=timeout)
    if out.returncode != 0:
        raise AssertionError(f"{cmd[:2]} exited {out.returncode}:\n{out.stderr.decode(errors='replace')[-3000:]}")
    return out.stdout


def create_topics(bootstrap, names, partitions=1):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for name, f in admin.create_topics([NewTopic(n, partitions, 3) for n in names]).items():
        f.result(30)
    # Every broker knows the leaders before anyone produces.
    deadline = time.time() + 30
    while time.time() < deadline:
        md = admin.list_topics(timeout=10)
        if all(n in md.topics and len(md.topics[n].partitions) == partitions
               and all(p.leader >= 0 for p in md.topics[n].partitions.values()) for n in names):
            return
        time.sleep(0.2)
    raise AssertionError(f"topics {names} have no leaders")


# --- readers --------------------------------------------------------------------------------

def keep_none_alive(count):
    """confluent_kafka before 1.8.2 (Debian ships 1.7) hands out None header values without
    taking a reference (confluent-kafka-python issue #1191): the interpreter then aborts with
    "deallocating None". Take the missing references."""
    for _ in range(count):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))


def read_confluent(bootstrap, topic, n):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "interop-unused",
                  "enable.auto.commit": False, "enable.partition.eof": True})
    c.assign([TopicPartition(topic, 0, 0)])
    rows, deadline = [], time.time() + 60
    try:
        while len(rows) < n and time.time() < deadline:
            m = c.poll(1.0)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise AssertionError(f"confluent_kafka: {m.error()}")
            ts_type, ts = m.timestamp()
            assert ts_type == 1, f"timestamp type {ts_type} (1 is CreateTime)"  # TIMESTAMP_CREATE_TIME
            assert m.partition() == 0 and m.topic() == topic
            headers = list(m.headers() or [])
            keep_none_alive(sum(1 for _, v in headers if v is None))
            rows.append((m.offset(), ts, m.key(), m.value(), headers))
    finally:
        c.close()
    return rows


def kcat_bytes(s):
    """kcat -J writes keys, payloads and header values as JSON strings holding the raw bytes
    (control characters escaped, other bytes as they are): undo that."""
    return None if s is None else s.encode("utf-8", "surrogateescape")


def read_kcat(bootstrap, topic, n):
    out = run(["kcat", "-b", bootstrap, "-C", "-J", "-e", "-q", "-t", topic, "-p", "0",
               "-o", "beginning"], timeout=120)
    rows = []
    for line in out.split(b"\n"):
        if not line:
            continue
        m = json.loads(line.decode("utf-8", "surrogateescape"))
        assert m["topic"] == topic and m["partition"] == 0, m
        assert m["tstype"] == "create", m
        flat = m.get("headers", [])  # absent when a record has none
        assert len(flat) % 2 == 0, flat
        headers = [(flat[k], kcat_bytes(flat[k + 1])) for k in range(0, len(flat), 2)]
        rows.append((m["offset"], m["ts"], kcat_bytes(m["key"]), kcat_bytes(m["payload"]), headers))
    assert len(rows) == n, f"kcat read {len(rows)} records, expected {n}"
    return rows


def read_driver(bootstrap, topic, n):
    out = run([DRIVER, "consume", bootstrap, topic, str(n)])
    rows = []
    b64 = lambda s: None if s is None else base64.b64decode(s)
    for line in out.decode().splitlines():
        m = json.loads(line)
        assert m["partition"] == 0 and m["timestamp_type"] == "create", m
        rows.append((m["offset"], m["timestamp"], b64(m["key"]), b64(m["value"]),
                     [(h["key"], b64(h["value"])) for h in m["headers"]]))
    return rows


def on_disk_batches(cluster, topic):
    """(attributes, record count) of every batch of topic-0 in every broker's log."""
    batches = {}
    for b in cluster.brokers:
        for path in sorted(glob.glob(os.path.join(b.dir, "data", f"{topic}-0", "*.log"))):
            data = open(path, "rb").read()
            pos, found = 0, []
            while pos + 61 <= len(data):
                (length,) = struct.unpack_from(">i", data, pos + 8)
                (attributes,) = struct.unpack_from(">h", data, pos + 21)
                (count,) = struct.unpack_from(">i", data, pos + 57)
                found.append((attributes, count))
                pos += 12 + length
            batches[b.id] = batches.get(b.id, []) + found
    return batches


def check_codec_on_disk(cluster, topic, codec):
    # Followers may still be fetching the last batches.
    deadline = time.time() + 20
    while True:
        batches = on_disk_batches(cluster, topic)
        if len(batches) == len(cluster.brokers) and all(sum(c for _, c in f) == N for f in batches.values()):
            break
        if time.time() > deadline:
            break
        time.sleep(0.2)
    assert batches, f"{topic}: no segment files found"
    for broker_id, found in batches.items():
        codecs = {a & 7 for a, _ in found}
        assert codecs == {CODEC_IDS[codec]}, f"{topic} on broker {broker_id}: codecs {codecs}, expected {codec}"
        assert sum(c for _, c in found) == N, f"{topic} on broker {broker_id}: {found}"
        assert max(c for _, c in found) > 1, f"{topic}: every batch holds one record"


# --- producers ------------------------------------------------------------------------------

def produce_confluent(bootstrap, topic, codec):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "compression.type": codec,
                  "linger.ms": 20, "enable.idempotence": True})
    errors = []
    for i in range(N):
        ts, key, value, headers = expected_record(i)
        p.produce(topic, key=key, value=value, partition=0, timestamp=ts, headers=headers,
                  on_delivery=lambda err, msg: errors.append(err))
        p.poll(0)
    assert p.flush(60) == 0, "confluent_kafka: records left unflushed"
    assert len(errors) == N and all(e is None for e in errors), [e for e in errors if e][:3]


def produce_kafka_python(bootstrap, topic, codec):
    """Returns the rows produced: kafka-python's send() refuses a record whose key and value are
    both null (those get a key) and null header values (empty instead)."""
    from kafka import KafkaProducer
    p = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all", compression_type=codec,
                      linger_ms=20)
    futures, rows = [], []
    for i in range(N):
        ts, key, value, headers = expected_record(i)
        if key is None and value is None:
            key = b"kafka-python-refuses-null-key-and-value"
        headers = [(k, b"" if v is None else v) for k, v in headers]  # and null header values
        rows.append((i, ts, key, value, headers))
        futures.append(p.send(topic, key=key, value=value, partition=0, timestamp_ms=ts, headers=headers))
    p.flush(60)
    for f in futures:
        f.get(30)
    p.close(10)
    return rows


# --- the three checks -----------------------------------------------------------------------

def driver_to_others(c):
    topics = [f"from-sluice-{codec}" for codec in CODECS]
    create_topics(c.bootstrap, topics)
    for codec, topic in zip(CODECS, topics):
        run([DRIVER, "produce", c.bootstrap, topic, codec])
        compare(f"confluent_kafka reading {codec}", read_confluent(c.bootstrap, topic, N))
        compare(f"kcat reading {codec}", read_kcat(c.bootstrap, topic, N))
        check_codec_on_disk(c, topic, codec)
        print(f"(a) C++ client -> confluent_kafka, kcat with {codec}: ok")


def others_to_driver(c):
    cases = [("confluent_kafka", codec) for codec in CODECS] + [("kafka-python", "gzip"), ("kafka-python", None)]
    topics = [f"to-sluice-{who}-{codec}" for who, codec in cases]
    create_topics(c.bootstrap, topics)
    for (who, codec), topic in zip(cases, topics):
        if who == "confluent_kafka":
            produce_confluent(c.bootstrap, topic, codec)
            expected = expected_rows()
        else:
            expected = produce_kafka_python(c.bootstrap, topic, codec)
        compare(f"C++ client reading {who} {codec}", read_driver(c.bootstrap, topic, N), expected)
        check_codec_on_disk(c, topic, codec or "none")
        print(f"(b) {who} with {codec} -> C++ client: ok")


def keyed_partitioning(c):
    create_topics(c.bootstrap, ["keyed-sluice", "keyed-librdkafka"], partitions=6)
    count = 600
    out = run([DRIVER, "produce-keyed", c.bootstrap, "keyed-sluice", str(count)])
    sluice = [(base64.b64decode(r["key"]), r["partition"]) for r in map(json.loads, out.decode().splitlines())]
    assert len(sluice) == count, f"{len(sluice)} delivery reports"

    p = Producer({"bootstrap.servers": c.bootstrap, "partitioner": "murmur2_random", "linger.ms": 5})
    reports = {}
    def delivered(err, msg):
        assert err is None, err
        reports[msg.key()] = msg.partition()
    for key, _ in sluice:
        p.produce("keyed-librdkafka", key=key, value=b"x", on_delivery=delivered)
    assert p.flush(60) == 0
    differ = [(k, part, reports.get(k)) for k, part in sluice if reports.get(k) != part]
    assert not differ, f"{len(differ)} keys placed differently (key, sluice, librdkafka): {differ[:5]}"
    assert len({part for _, part in sluice}) == 6, "keys did not spread over all 6 partitions"

    # The reports say where the records are: read them back from there.
    cons = Consumer({"bootstrap.servers": c.bootstrap, "group.id": "interop-unused",
                     "enable.auto.commit": False, "enable.partition.eof": True})
    cons.assign([TopicPartition("keyed-sluice", p, 0) for p in range(6)])
    stored, eof, deadline = {}, set(), time.time() + 60
    while len(eof) < 6 and time.time() < deadline:
        m = cons.poll(1.0)
        if m is None:
            continue
        if m.error():
            assert m.error().code() == KafkaError._PARTITION_EOF, m.error()
            eof.add(m.partition())
            continue
        stored[m.key()] = m.partition()
    cons.close()
    assert stored == dict(sluice), "records are not on the partitions their reports named"
    print(f"(c) {count} keys: C++ client and murmur2_random agree on every partition")


def main():
    assert DRIVER and os.access(DRIVER, os.X_OK), f"SLUICE_INTEROP_DRIVER={DRIVER!r} is not executable"
    with Cluster(brokers=3) as c:
        driver_to_others(c)
        others_to_driver(c)
        keyed_partitioning(c)
    return 0


if __name__ == "__main__":
    sys.exit(main())
