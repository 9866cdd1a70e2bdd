#!/usr/bin/python3
"""Consumer groups with confluent_kafka (librdkafka) against three brokers:

- three members of one group on a 6-partition topic own 2 partitions each;
- one member is SIGKILLed: after the session timeout the two others own all 6; no partition is
  ever owned by two members at once (members' own callbacks, and every Stable generation
  stored in ZooKeeper); every record produced during the churn is consumed at least once, and
  with commits after processing none is skipped (committed offset = end offset);
- a 4th member of a group beyond the partition count stays idle and takes over when an owner
  leaves;
- a static member (group.instance.id) SIGKILLed and restarted gets its partitions back without
  a rebalance."""
import sys
import threading
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from group_harness import Member, ZkGroupWatcher, assert_no_double_ownership, stop_all
from harness import Cluster, wait_until


def produce_until(bootstrap, topic, partitions, stop, produced):
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})

    def delivered(err, msg):
        if err is None:
            produced.add((msg.partition(), msg.offset()))

    i = 0
    while not stop.is_set():
        p.produce(topic, value=str(i).encode(), partition=i % partitions, on_delivery=delivered)
        p.poll(0)
        i += 1
        time.sleep(0.01)
    p.flush(30)


def committed(bootstrap, group, topic, partitions):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        got = c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=20)
        return {tp.partition: tp.offset for tp in got}
    finally:
        c.close()


def churn(c):
    admin = AdminClient({"bootstrap.servers": c.bootstrap})
    admin.create_topics([NewTopic("churn", 6, 1)])["churn"].result(30)
    stop, produced = threading.Event(), set()
    producer = threading.Thread(target=produce_until, args=(c.bootstrap, "churn", 6, stop, produced))
    producer.start()
    watcher = ZkGroupWatcher(c, "cg", "churn")
    watcher.start()
    members = [Member(c.bootstrap, "cg", "churn", name=f"m{i}") for i in range(3)]
    try:
        def balanced(ms, each):
            owned = [m.owned() for m in ms]
            union = set().union(*owned)
            return all(len(o) == each for o in owned) and union == set(range(6))
        wait_until(lambda: balanced(members, 2), 60, what="3 members with 2 partitions each")
        print("3 members:", [sorted(m.owned()) for m in members])

        killed_at = time.time()
        members[2].kill()
        survivors = members[:2]
        wait_until(lambda: balanced(survivors, 3), 60, what="2 survivors with all 6 partitions")
        print(f"after SIGKILL: {[sorted(m.owned()) for m in survivors]} in {time.time() - killed_at:.1f} s")

        time.sleep(2)
        stop.set()
        producer.join()
        print(f"produced {len(produced)} records")
        consumed = lambda: set().union(*(m.consumed for m in members))
        wait_until(lambda: produced <= consumed(), 60, what="every produced record consumed")
        ends = {}
        for p, o in produced:
            ends[p] = max(ends.get(p, -1), o + 1)
        wait_until(lambda: committed(c.bootstrap, "cg", "churn", 6) == ends, 30, what="commits up to the end")
        assert_no_double_ownership(members)
        watcher.done.set()
        watcher.join(5)
        assert not watcher.errors, watcher.errors
        assert len(watcher.generations) >= 2, watcher.generations
        print("generations seen in ZooKeeper:", sorted(watcher.generations))
    finally:
        stop.set()
        watcher.done.set()
        stop_all(members)


def idle_member(c):
    admin = AdminClient({"bootstrap.servers": c.bootstrap})
    admin.create_topics([NewTopic("small", 3, 1)])["small"].result(30)
    members = [Member(c.bootstrap, "cg-small", "small", name=f"s{i}") for i in range(4)]
    try:
        def spread():
            owned = [m.owned() for m in members if m.alive()]
            return sorted(len(o) for o in owned) == [0, 1, 1, 1] and set().union(*owned) == {0, 1, 2}
        wait_until(spread, 60, what="3 members with a partition and one idle")
        idle = next(m for m in members if not m.owned())
        owner = next(m for m in members if m.owned())
        print("4 members on 3 partitions:", [sorted(m.owned()) for m in members], "idle:", idle.name)
        owner.stop()  # clean close: LeaveGroup
        wait_until(lambda: len(idle.owned()) == 1 and set().union(*(m.owned() for m in members if m.alive())) == {0, 1, 2},
                   60, what="the idle member takes over")
        print("after one left:", [sorted(m.owned()) for m in members if m.alive()])
        assert_no_double_ownership(members)
    finally:
        stop_all(members)


def static_members(c):
    # Topic "small" (3 partitions) exists already. A static member that is SIGKILLed and comes
    # back with the same group.instance.id within the session timeout gets its partitions
    # back without a rebalance: same generation, the other member is not disturbed.
    members = [Member(c.bootstrap, "cg-static", "small", instance_id=f"host-{i}", name=f"static{i}") for i in range(2)]
    try:
        wait_until(lambda: sorted(len(m.owned()) for m in members) == [1, 2], 60, what="2 static members")
        generation = c.zk_get_json("/consumers/cg-static")["generation"]
        before = [sorted(m.owned()) for m in members]
        restarted_at = time.time()
        members[0].kill()
        members[0] = Member(c.bootstrap, "cg-static", "small", instance_id="host-0", name="static0-again")
        wait_until(lambda: sorted(members[0].owned()) == before[0], 30, what="the restarted member's partitions")
        assert c.zk_get_json("/consumers/cg-static")["generation"] == generation
        assert members[1].count("assign", since=restarted_at) == 0 and members[1].count("revoke", since=restarted_at) == 0
        print(f"static member restarted: {before[0]} again, generation {generation} unchanged")
    finally:
        stop_all(members)


def main():
    with Cluster(brokers=3) as c:
        churn(c)
        idle_member(c)
        static_members(c)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
