#!/usr/bin/python3
"""AlterConfigs and IncrementalAlterConfigs against two real brokers.

confluent_kafka's AdminClient (librdkafka 2.0.2) alters a topic's configuration, which
DescribeConfigs then reports as DYNAMIC_TOPIC_CONFIG and /config/topics/<t> holds; invalid
keys and values, unknown topics and broker resources are refused per resource. The Python
binding (1.7.0) has no incremental_alter_configs, so IncrementalAlterConfigs v0 goes through
kafka-python's protocol classes (schema from Kafka's IncrementalAlterConfigsRequest.json),
sent to the broker that does NOT lead the partition: a min.insync.replicas above the replica
count must then refuse acks=all writes on the leader (NOT_ENOUGH_REPLICAS) without a restart,
and deleting the override must let them through again. Also: the topic id in ZooKeeper is the
canonical base64 text of 16 bytes (the one Metadata returns), and DescribeCluster (v0, flexible,
which neither client here speaks: encoded by hand from Kafka's DescribeCluster*.json) lists
both brokers, the controller and the cluster id."""
import base64
import socket
import struct
import time

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewTopic
from kafka.conn import BrokerConnection
from kafka.protocol.api import Request, Response
from kafka.protocol.types import Array, Boolean, Int8, Int16, Int32, Schema, String

from harness import Cluster, wait_until

TOPIC = "cfg"
NONE, UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG, INVALID_REQUEST = 0, 3, 40, 42
SET, DELETE, APPEND, SUBTRACT = 0, 1, 2, 3


class IncrementalAlterConfigsResponse_v0(Response):
    API_KEY = 44
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("responses", Array(("error_code", Int16), ("error_message", String("utf-8")),
                            ("resource_type", Int8), ("resource_name", String("utf-8")))))


class IncrementalAlterConfigsRequest_v0(Request):
    API_KEY = 44
    API_VERSION = 0
    RESPONSE_TYPE = IncrementalAlterConfigsResponse_v0
    SCHEMA = Schema(
        ("resources", Array(("resource_type", Int8), ("resource_name", String("utf-8")),
                            ("configs", Array(("name", String("utf-8")), ("config_operation", Int8),
                                              ("value", String("utf-8")))))),
        ("validate_only", Boolean))


class Raw:
    """One kafka-python BrokerConnection to one broker (no version probing)."""

    def __init__(self, broker):
        self.conn = BrokerConnection(broker.host, broker.port, socket.AF_INET, request_timeout_ms=30000,
                                     api_version=(2, 0, 0))
        assert self.conn.connect_blocking(10), f"cannot connect to broker {broker.id}"

    def call(self, request, timeout=30):
        future = self.conn.send(request)
        deadline = time.time() + timeout
        while not future.is_done and time.time() < deadline:
            for response, done in self.conn.recv():
                done.success(response)
            time.sleep(0.01)
        assert future.succeeded(), future.exception
        return future.value

    def incremental(self, resources, validate_only=False):
        """resources: [(type, name, [(key, op, value)])] -> [(error_code, error_message)]"""
        r = self.call(IncrementalAlterConfigsRequest_v0(resources, validate_only))
        return [(x[0], x[1]) for x in r.responses]

    def close(self):
        self.conn.close()


def describe(admin, topic):
    res = admin.describe_configs([ConfigResource("topic", topic)])
    return list(res.values())[0].result(10)


def alter(admin, resource, validate_only=False):
    """The error of one resource's AlterConfigs (None on success)."""
    future = list(admin.alter_configs([resource], validate_only=validate_only).values())[0]
    try:
        future.result(15)
        return None
    except KafkaException as e:
        return e.args[0]


def dynamic(entry):
    return entry.source in (ConfigSource.DYNAMIC_TOPIC_CONFIG, ConfigSource.DYNAMIC_TOPIC_CONFIG.value)


def shows(admin, topic, key, value):
    e = describe(admin, topic)[key]
    return e.value == value and dynamic(e)


def produce_acks_all(bootstrap):
    """Error code of one acks=all write (no retries), None when acknowledged."""
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "retries": 0,
                  "message.timeout.ms": 10000, "enable.idempotence": False})
    result = []
    p.produce(TOPIC, value=b"x", partition=0, on_delivery=lambda err, msg: result.append(err))
    p.flush(15)
    assert result, "no delivery report"
    return None if result[0] is None else result[0].code()


def uvarint(buf, pos):
    value, shift = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def compact_string(buf, pos):
    n, pos = uvarint(buf, pos)
    if n == 0:
        return None, pos
    return buf[pos:pos + n - 1].decode(), pos + n - 1


def describe_cluster(broker):
    """DescribeCluster v0 over a plain socket: (cluster_id, controller_id, {id: (host, port)})."""
    client_id = b"compat"
    header = struct.pack(">hhih", 60, 0, 7, len(client_id)) + client_id + b"\x00"  # + no tags
    body = b"\x00\x00"  # include_cluster_authorized_operations false, no tags
    with socket.create_connection((broker.host, broker.port), timeout=10) as sock:
        sock.sendall(struct.pack(">i", len(header) + len(body)) + header + body)
        buf = b""
        while len(buf) < 4 or len(buf) < 4 + struct.unpack(">i", buf[:4])[0]:
            chunk = sock.recv(65536)
            assert chunk, "connection closed"
            buf += chunk
    pos = 4
    (correlation_id,) = struct.unpack_from(">i", buf, pos)
    assert correlation_id == 7
    _, pos = uvarint(buf, pos + 4)  # header tags
    _throttle, error_code = struct.unpack_from(">ih", buf, pos)
    assert error_code == NONE, error_code
    _, pos = compact_string(buf, pos + 6)  # error_message
    cluster_id, pos = compact_string(buf, pos)
    (controller_id,) = struct.unpack_from(">i", buf, pos)
    count, pos = uvarint(buf, pos + 4)
    brokers = {}
    for _ in range(count - 1):
        (broker_id,) = struct.unpack_from(">i", buf, pos)
        host, pos = compact_string(buf, pos + 4)
        (port,) = struct.unpack_from(">i", buf, pos)
        _rack, pos = compact_string(buf, pos + 4)
        _, pos = uvarint(buf, pos)  # tags
        brokers[broker_id] = (host, port)
    return cluster_id, controller_id, brokers


def main():
    with Cluster(brokers=2) as c:
        admin = AdminClient({"bootstrap.servers": c.bootstrap})
        admin.create_topics([NewTopic(TOPIC, 1, 2)])[TOPIC].result(10)
        wait_until(lambda: (c.partition_state(TOPIC, 0) or {}).get("leader", -1) >= 0, 30, what="a leader")
        assert produce_acks_all(c.bootstrap) is None

        cluster_id, controller_id, brokers = describe_cluster(c.brokers[1])
        assert cluster_id == c.zk_get_json("/cluster/id")["id"], cluster_id
        assert controller_id == c.controller_id(), controller_id
        assert brokers == {b.id: (b.host, b.port) for b in c.brokers}, brokers

        # Topic ids: canonical base64 of 16 bytes in ZooKeeper.
        topic_id = c.zk_get_json(f"/brokers/topics/{TOPIC}")["topic_id"]
        raw_id = base64.urlsafe_b64decode(topic_id + "==")
        assert len(topic_id) == 22 and len(raw_id) == 16, topic_id
        assert base64.urlsafe_b64encode(raw_id).decode().rstrip("=") == topic_id, topic_id

        # AlterConfigs: the whole override set, visible in DescribeConfigs and in ZooKeeper.
        assert alter(admin, ConfigResource("topic", TOPIC, set_config={
            "retention.ms": "3600000", "cleanup.policy": "compact"})) is None
        wait_until(lambda: shows(admin, TOPIC, "retention.ms", "3600000"), 20, what="retention.ms described")
        assert shows(admin, TOPIC, "cleanup.policy", "compact")
        assert c.zk_get_json(f"/config/topics/{TOPIC}") == {
            "version": 1, "config": {"cleanup.policy": "compact", "retention.ms": "3600000"}}

        # Replacing: keys not named revert to their defaults.
        assert alter(admin, ConfigResource("topic", TOPIC, set_config={"segment.ms": "600000"})) is None
        wait_until(lambda: shows(admin, TOPIC, "segment.ms", "600000"), 20, what="segment.ms described")
        entries = describe(admin, TOPIC)
        assert not dynamic(entries["retention.ms"]) and entries["cleanup.policy"].value == "delete", entries

        # Refusals, per resource; validate_only changes nothing.
        for bad in ({"no.such.key": "1"}, {"retention.ms": "soon"}, {"min.insync.replicas": "0"}):
            err = alter(admin, ConfigResource("topic", TOPIC, set_config=bad))
            assert err is not None and err.code() == KafkaError.INVALID_CONFIG, (bad, err)
        err = alter(admin, ConfigResource("topic", "no-such-topic", set_config={"retention.ms": "1"}))
        assert err is not None and err.code() == KafkaError.UNKNOWN_TOPIC_OR_PART, err
        err = alter(admin, ConfigResource("broker", "1", set_config={"log.retention.ms": "1"}))
        assert err is not None and err.code() == KafkaError.INVALID_CONFIG, err
        assert "dynamically" in err.str(), err.str()
        assert alter(admin, ConfigResource("topic", TOPIC, set_config={"retention.ms": "1000"}),
                     validate_only=True) is None
        assert c.zk_get_json(f"/config/topics/{TOPIC}")["config"] == {"segment.ms": "600000"}

        # IncrementalAlterConfigs, sent to the broker that does not lead partition 0.
        leader = c.partition_state(TOPIC, 0)["leader"]
        other = next(b for b in c.brokers if b.id != leader)
        raw = Raw(other)
        try:
            assert raw.incremental([(2, TOPIC, [("min.insync.replicas", SET, "3"),
                                                ("cleanup.policy", APPEND, "compact"),
                                                ("segment.ms", DELETE, None)])]) == [(NONE, None)]
            assert c.zk_get_json(f"/config/topics/{TOPIC}")["config"] == {
                "min.insync.replicas": "3", "cleanup.policy": "delete,compact"}
            wait_until(lambda: shows(admin, TOPIC, "min.insync.replicas", "3"), 20, what="min.insync.replicas described")
            assert not dynamic(describe(admin, TOPIC)["segment.ms"])

            # The leader applies it without a restart: 2 replicas < min.insync.replicas 3.
            wait_until(lambda: produce_acks_all(c.bootstrap) == KafkaError.NOT_ENOUGH_REPLICAS, 30,
                       what="acks=all refused with NOT_ENOUGH_REPLICAS")

            got = raw.incremental([(2, TOPIC, [("retention.ms", APPEND, "5")]),
                                   (2, "no-such-topic", [("retention.ms", SET, "5")]),
                                   (2, TOPIC, [("retention.ms", SET, "5"), ("retention.ms", DELETE, None)]),
                                   (4, "1", [("num.io.threads", SET, "4")]),
                                   (2, TOPIC, [("cleanup.policy", SUBTRACT, "compact")])],
                                  validate_only=True)
            assert [e for e, _ in got] == [INVALID_CONFIG, UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST,
                                           INVALID_CONFIG, NONE], got
            assert c.zk_get_json(f"/config/topics/{TOPIC}")["config"]["cleanup.policy"] == "delete,compact"

            assert raw.incremental([(2, TOPIC, [("min.insync.replicas", DELETE, None)])]) == [(NONE, None)]
            wait_until(lambda: produce_acks_all(c.bootstrap) is None, 30, what="acks=all accepted again")
        finally:
            raw.close()
        print("alter configs ok")


if __name__ == "__main__":
    main()
