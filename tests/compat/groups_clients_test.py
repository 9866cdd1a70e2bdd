#!/usr/bin/python3
"""Consumer groups with kafka-python and KafkaJS (from npm, installed into the build tree) on
the same three-broker cluster: each joins a group, consumes and commits; zkCli.sh shows the
group's members and offsets under /consumers as docs/groups.md documents; bad input gets
Kafka's errors and the group keeps working:

- JoinGroup with a protocol type the group does not use: INCONSISTENT_GROUP_PROTOCOL;
- SyncGroup from a member id the group does not know: UNKNOWN_MEMBER_ID;
- OffsetCommit with a stale generation: ILLEGAL_GENERATION;
- the admin APIs: ListGroups, DescribeGroups, DeleteGroups of a live group (NON_EMPTY_GROUP);
- offsets of a deleted topic are removed."""
import json
import os
import socket
import subprocess
import sys
import time

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaConsumer, TopicPartition
from kafka.conn import BrokerConnection
from kafka.protocol.commit import GroupCoordinatorRequest, OffsetCommitRequest
from kafka.protocol.group import HeartbeatRequest, JoinGroupRequest, SyncGroupRequest

from harness import Cluster, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh"

NONE, ILLEGAL_GENERATION, INCONSISTENT_GROUP_PROTOCOL, UNKNOWN_MEMBER_ID = 0, 22, 23, 25
NON_EMPTY_GROUP = 68


def produce(bootstrap, topic, n, partitions):
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for i in range(n):
        p.produce(topic, key=f"k{i}", value=f"v{i}", partition=i % partitions)
    assert p.flush(30) == 0


def install_kafkajs(prefix):
    os.makedirs(prefix, exist_ok=True)
    for name in ("package.json", "group_consume.js"):
        with open(os.path.join(HERE, "kafkajs", name)) as src, open(os.path.join(prefix, name), "w") as dst:
            dst.write(src.read())
    if not os.path.isdir(os.path.join(prefix, "node_modules", "kafkajs")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=prefix, check=True, timeout=600)


class Raw:
    """kafka-python's protocol classes over one BrokerConnection: requests as a client sends them."""

    def __init__(self, host, port):
        self.conn = BrokerConnection(host, port, socket.AF_INET, request_timeout_ms=60000, api_version=(2, 0, 0))
        assert self.conn.connect_blocking(10), f"cannot connect to {host}:{port}"

    def call(self, request, timeout=60):
        future = self.conn.send(request)
        deadline = time.time() + timeout
        while not future.is_done and time.time() < deadline:
            for response, done in self.conn.recv():  # kafka-python leaves resolving to the caller
                done.success(response)
            time.sleep(0.01)
        assert future.succeeded(), future.exception
        return future.value

    def close(self):
        self.conn.close()


def coordinator(bootstrap, group):
    host, port = bootstrap.split(",")[0].rsplit(":", 1)
    raw = Raw(host, int(port))
    try:
        def found():
            r = raw.call(GroupCoordinatorRequest[0](group))
            return (r.host, r.port) if r.error_code == NONE else None
        return wait_until(found, 30, what=f"coordinator of {group}")
    finally:
        raw.close()


def zk(server, *cmd):
    out = subprocess.run([ZKCLI, "-server", server, *cmd], capture_output=True, text=True, timeout=60)
    return out.stdout + out.stderr


def zk_json(server, path):
    for line in zk(server, "get", path).splitlines():
        if line.strip().startswith("{"):
            return json.loads(line.strip())
    return None


def zk_ls(server, path):
    for line in zk(server, "ls", path).splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            return [x.strip() for x in line[1:-1].split(",") if x.strip()]
    return None


def kafka_python(c):
    produce(c.bootstrap, "kp", 200, 2)
    consumer = KafkaConsumer("kp", bootstrap_servers=c.bootstrap.split(","), group_id="kp-group",
                             auto_offset_reset="earliest", enable_auto_commit=False, session_timeout_ms=10000,
                             heartbeat_interval_ms=1000, consumer_timeout_ms=30000)
    seen = set()
    for m in consumer:
        seen.add((m.partition, m.offset))
        if len(seen) == 200:
            break
    assert len(seen) == 200, len(seen)
    consumer.commit()
    committed = {p: consumer.committed(TopicPartition("kp", p)) for p in range(2)}
    assert committed == {0: 100, 1: 100}, committed
    print("kafka-python: consumed 200, committed", committed, "assignment", sorted(tp.partition for tp in consumer.assignment()))
    return consumer  # stays a member while the rest of the test looks at its group


def kafkajs(c):
    prefix = os.environ.get("SLUICE_KAFKAJS_DIR", os.path.join(os.getcwd(), "kafkajs"))
    install_kafkajs(prefix)
    produce(c.bootstrap, "kjs-g", 300, 3)
    out = subprocess.run(["node", os.path.join(prefix, "group_consume.js")], capture_output=True, text=True, timeout=180,
                         cwd=prefix, env=dict(os.environ, BOOTSTRAP=c.bootstrap, GROUP="kjs-group", TOPIC="kjs-g",
                                              COUNT="300"))
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["seen"] == 300, result
    offsets = {int(p["partition"]): int(p["offset"]) for p in result["committed"][0]["partitions"]}
    assert offsets == {0: 100, 1: 100, 2: 100}, result["committed"]
    assert result["described"] == [{"state": "Stable", "protocolType": "consumer", "protocol": "RoundRobinAssigner",
                                    "members": 1}], result["described"]
    print("KafkaJS: consumed 300, committed", offsets, "joined as", result["join"]["memberId"])


def zkcli_view(c):
    root = c.chroot
    group = zk_json(c.zk, f"{root}/consumers/kp-group")
    assert group and group["protocol_type"] == "consumer" and group["state"] == "Stable", group
    assert group["protocol"] == "range" and group["generation"] >= 1 and group["members"] == 1, group
    members = zk_ls(c.zk, f"{root}/consumers/kp-group/members")
    assert members and len(members) == 1 and members[0] == group["leader"], (members, group)
    member = zk_json(c.zk, f"{root}/consumers/kp-group/members/{members[0]}")
    assert member["client_id"].startswith("kafka-python") and member["client_host"] == "/127.0.0.1", member
    assert member["subscribed_topics"] == ["kp"] and member["assigned_partitions"] == {"kp": [0, 1]}, member
    assert member["session_timeout_ms"] == 10000, member
    assert sorted(zk_ls(c.zk, f"{root}/consumers/kp-group/offsets/kp")) == ["0", "1"]
    offset = zk_json(c.zk, f"{root}/consumers/kp-group/offsets/kp/0")
    assert offset["offset"] == 100 and offset["version"] == 1 and int(offset["commit_timestamp"]) > 0, offset
    # KafkaJS left its group: empty, offsets kept.
    kjs = zk_json(c.zk, f"{root}/consumers/kjs-group")
    assert kjs["state"] == "Empty" and kjs["members"] == 0, kjs
    assert zk_json(c.zk, f"{root}/consumers/kjs-group/offsets/kjs-g/2")["offset"] == 100
    print("zkCli: /consumers/kp-group", group, "member", members[0])


def bad_input(c):
    # 1. A JoinGroup with another protocol type than the live kafka-python group's.
    host, port = coordinator(c.bootstrap, "kp-group")
    raw = Raw(host, port)
    r = raw.call(JoinGroupRequest[1]("kp-group", 10000, 10000, "", "bogus", [("range", b"\x00\x00")]))
    assert r.error_code == INCONSISTENT_GROUP_PROTOCOL, r
    raw.close()

    # A raw member of its own group: join (v1: no MEMBER_ID_REQUIRED round), sync.
    host, port = coordinator(c.bootstrap, "raw-group")
    raw = Raw(host, port)
    subscription = b"\x00\x00" + b"\x00\x00\x00\x01" + b"\x00\x02kp" + b"\xff\xff\xff\xff"
    join = raw.call(JoinGroupRequest[1]("raw-group", 10000, 10000, "", "consumer", [("range", subscription)]))
    assert join.error_code == NONE and join.leader_id == join.member_id and join.generation_id == 1, join
    me, generation = join.member_id, join.generation_id
    # 2. SyncGroup from a member id the group does not know.
    r = raw.call(SyncGroupRequest[0]("raw-group", generation, "intruder-1", []))
    assert r.error_code == UNKNOWN_MEMBER_ID, r
    r = raw.call(SyncGroupRequest[0]("raw-group", generation, me, [(me, b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")]))
    assert r.error_code == NONE, r
    # 3. OffsetCommit with a stale generation, then with the right one.
    r = raw.call(OffsetCommitRequest[2]("raw-group", generation - 1, me, -1, [("kp", [(0, 5, "")])]))
    assert r.topics[0][1][0][1] == ILLEGAL_GENERATION, r
    r = raw.call(OffsetCommitRequest[2]("raw-group", generation, me, -1, [("kp", [(0, 5, "m")]), ("gone", [(0, 7, "")])]))
    assert [p[1] for t in r.topics for p in t[1]] == [NONE, NONE], r
    # The group keeps working.
    assert raw.call(HeartbeatRequest[0]("raw-group", generation, me)).error_code == NONE
    assert raw.call(HeartbeatRequest[0]("raw-group", generation, "intruder-1")).error_code == UNKNOWN_MEMBER_ID
    raw.close()
    print("bad input: INCONSISTENT_GROUP_PROTOCOL, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION as Kafka answers")


def deleted_topic_offsets(c):
    # Offsets of a deleted topic are removed; the group's other offsets stay.
    admin = AdminClient({"bootstrap.servers": c.bootstrap})
    base = f"{c.chroot}/consumers/raw-group/offsets"
    assert zk_json(c.zk, f"{base}/gone/0")["offset"] == 7
    admin.delete_topics(["gone"])["gone"].result(30)
    wait_until(lambda: "gone" not in (zk_ls(c.zk, base) or []), 30, what="offsets of the deleted topic removed")
    assert zk_json(c.zk, f"{base}/kp/0")["offset"] == 5
    print("deleted topic: its offsets are gone, the others stay")


def admin_apis(c):
    admin = AdminClient({"bootstrap.servers": c.bootstrap})
    listed = {g.id: g for g in admin.list_groups(timeout=20)}
    assert {"kp-group", "kjs-group", "raw-group"} <= set(listed), sorted(listed)
    kp = listed["kp-group"]
    assert kp.state == "Stable" and kp.protocol_type == "consumer" and kp.protocol == "range", kp
    assert len(kp.members) == 1 and kp.members[0].client_host == "/127.0.0.1", kp.members
    assert listed["kjs-group"].state == "Empty", listed["kjs-group"]
    # DeleteGroups: a live group is refused, an empty one goes (with its offsets).
    from kafka.admin import KafkaAdminClient
    kadmin = KafkaAdminClient(bootstrap_servers=c.bootstrap.split(","))
    try:
        result = dict(kadmin.delete_consumer_groups(["kp-group", "kjs-group"]))
    finally:
        kadmin.close()
    print("DeleteGroups:", result)
    assert "NonEmptyGroup" in type(result["kp-group"]).__name__ or getattr(result["kp-group"], "errno", None) == NON_EMPTY_GROUP, result
    assert getattr(result["kjs-group"], "errno", 0) == 0, result
    assert zk(c.zk, "stat", f"{c.chroot}/consumers/kjs-group").find("Node does not exist") >= 0
    print("admin: ListGroups, DescribeGroups, DeleteGroups ok")


def main():
    with Cluster(brokers=3) as c:
        admin = AdminClient({"bootstrap.servers": c.bootstrap})
        for name, f in admin.create_topics([NewTopic("kp", 2, 1), NewTopic("kjs-g", 3, 1), NewTopic("gone", 1, 1)]).items():
            f.result(30)
        consumer = kafka_python(c)
        try:
            kafkajs(c)
            zkcli_view(c)
            bad_input(c)
            deleted_topic_offsets(c)
            admin_apis(c)
        finally:
            consumer.close()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
