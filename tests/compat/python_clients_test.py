#!/usr/bin/python3
"""Debian's confluent_kafka (librdkafka 2.0.2) and kafka-python against a real broker:
AdminClient creates and deletes topics; producers with acks=1 and acks=0; consumers with
assign() read everything back; an out-of-range offset gets the right error."""
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from harness import Cluster, wait_until


def confluent(bootstrap):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for name, f in admin.create_topics([NewTopic("ck", 2, 1), NewTopic("ck0", 1, 1)]).items():
        f.result(10)
    bad = admin.create_topics([NewTopic("ck", 1, 1)])["ck"]
    try:
        bad.result(10)
        raise AssertionError("creating an existing topic succeeded")
    except Exception as e:  # KafkaException(TOPIC_ALREADY_EXISTS)
        assert "TOPIC_ALREADY_EXISTS" in str(e), e

    for acks, topic in (("1", "ck"), ("0", "ck0")):
        p = Producer({"bootstrap.servers": bootstrap, "acks": acks, "linger.ms": 5})
        delivered = []
        for i in range(2000):
            p.produce(topic, key=f"k{i}", value=f"v{i}", partition=i % (2 if topic == "ck" else 1),
                      headers=[("h", b"1")], on_delivery=lambda err, msg: delivered.append(err))
        p.flush(30)
        assert len(delivered) == 2000 and all(e is None for e in delivered), delivered[:3]

    for topic, parts in (("ck", 2), ("ck0", 1)):
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused-with-assign",
                      "enable.auto.commit": False, "enable.partition.eof": True})
        c.assign([TopicPartition(topic, p, 0) for p in range(parts)])
        seen, eof = [], set()
        deadline = time.time() + 60
        while len(eof) < parts and time.time() < deadline:
            m = c.poll(1.0)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    eof.add(m.partition())
                    continue
                raise AssertionError(m.error())
            seen.append((m.key().decode(), m.value().decode()))
        c.close()
        assert sorted(seen) == sorted((f"k{i}", f"v{i}") for i in range(2000)), f"{topic}: {len(seen)}"

    # Out of range with auto.offset.reset=error: the consumer reports it.
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "x", "auto.offset.reset": "error"})
    c.assign([TopicPartition("ck0", 0, 999_999)])
    err = None
    deadline = time.time() + 30
    while err is None and time.time() < deadline:
        m = c.poll(1.0)
        if m is not None and m.error():
            err = m.error()
    c.close()
    assert err is not None and err.code() == KafkaError._AUTO_OFFSET_RESET, err

    # DescribeConfigs: a topic's override and inherited defaults, and the broker's own keys.
    from confluent_kafka.admin import ConfigResource
    admin.create_topics([NewTopic("ckcfg", 1, 1, config={"retention.ms": "12345"})])["ckcfg"].result(10)
    res = admin.describe_configs([ConfigResource("topic", "ckcfg")])
    entries = list(res.values())[0].result(10)
    assert entries["retention.ms"].value == "12345" and not entries["retention.ms"].is_default, entries["retention.ms"]
    assert entries["cleanup.policy"].value == "delete", entries["cleanup.policy"]
    res = admin.describe_configs([ConfigResource("broker", "1")])
    broker_cfg = list(res.values())[0].result(10)
    assert broker_cfg["broker.id"].value == "1" and broker_cfg["broker.id"].is_read_only, broker_cfg["broker.id"]

    for name, f in admin.delete_topics(["ck0"]).items():
        f.result(10)
    wait_until(lambda: "ck0" not in admin.list_topics(timeout=5).topics, 20, what="deletion")
    print("confluent_kafka ok")


def kafka_python(bootstrap):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition as TP
    from kafka.admin import KafkaAdminClient, NewTopic as KNewTopic
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([KNewTopic("kp", 1, 1)])
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks=1)
    for i in range(500):
        producer.send("kp", key=f"k{i}".encode(), value=f"v{i}".encode())
    producer.flush(30)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=5000)
    consumer.assign([TP("kp", 0)])
    consumer.seek_to_beginning()
    got = [(m.offset, m.value.decode()) for m in consumer]
    assert got == [(i, f"v{i}") for i in range(500)], got[:5]
    print("kafka-python ok")


def main():
    with Cluster(brokers=1) as c:
        confluent(c.bootstrap)
        kafka_python(c.bootstrap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
