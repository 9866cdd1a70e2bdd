"""Helpers for the consumer-group tests: group members as separate processes
(group_member.py), the coordinator slot of a group, and the checks on what members saw."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def group_slot(group, slots=50):
    """Kafka's partitionFor: abs(String.hashCode) % slots (what the broker uses)."""
    h = 0
    data = group.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return (h & 0x7FFFFFFF) % slots


def coordinator_of(cluster, group):
    """The broker id owning the group's slot in ZooKeeper, or None."""
    root = cluster.zk_get_json("/coordinators")
    if not root:
        return None
    slot = cluster.zk_get_json(f"/coordinators/{group_slot(group, root['slots'])}")
    return slot["broker"] if slot else None


def slots_balanced(cluster, brokers):
    """True once every slot has an owner and `brokers` brokers own them evenly (the controller
    moves slots while brokers start)."""
    root = cluster.zk_get_json("/coordinators")
    if not root:
        return False
    load = {}
    for s in range(root["slots"]):
        slot = cluster.zk_get_json(f"/coordinators/{s}")
        if not slot:
            return False
        load[slot["broker"]] = load.get(slot["broker"], 0) + 1
    return len(load) == brokers and max(load.values()) - min(load.values()) <= 1


class Member:
    """A group_member.py process; its events are collected by a reader thread."""

    def __init__(self, bootstrap, group, topic, instance_id=None, name=None, session_timeout_ms=None):
        self.name = name or f"{group}-member"
        args = [sys.executable, os.path.join(HERE, "group_member.py"), bootstrap, group, topic]
        if instance_id:
            args.append(instance_id)
        env = dict(os.environ)
        if session_timeout_ms:
            env["GROUP_MEMBER_SESSION_TIMEOUT_MS"] = str(session_timeout_ms)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        self.events = []
        self.lock = threading.Lock()
        self.assignment = set()
        self.consumed = set()  # (partition, offset)
        self.ended_at = None   # when it stopped owning anything for good (kill/close)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                self.events.append(ev)
                if ev["ev"] == "assign":
                    self.assignment = set(ev["parts"])
                elif ev["ev"] == "revoke":
                    self.assignment = set()
                elif ev["ev"] == "msg":
                    self.consumed.add((ev["p"], ev["o"]))

    def owned(self):
        with self.lock:
            return set(self.assignment)

    def alive(self):
        return self.proc.poll() is None

    def kill(self):
        """SIGKILL: no LeaveGroup, the coordinator must notice by the session timeout."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        with self.lock:
            self.ended_at = time.time()
            self.assignment = set()

    def stop(self, timeout=20):
        """SIGTERM: the member closes its consumer (LeaveGroup) and exits."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(5)
        with self.lock:
            if self.ended_at is None:
                self.ended_at = time.time()
            self.assignment = set()

    def ownership_intervals(self):
        """[(partition, start, end)]: when this member owned each partition."""
        out, current = [], {}
        with self.lock:
            events = list(self.events)
            end = self.ended_at
        for ev in events:
            if ev["ev"] == "assign":
                for p in ev["parts"]:
                    current.setdefault(p, ev["t"])
            elif ev["ev"] == "revoke":
                for p in ev["parts"]:
                    if p in current:
                        out.append((p, current.pop(p), ev["t"]))
        stop = end if end is not None else time.time()
        for p, start in current.items():
            out.append((p, start, stop))
        return out

    def count(self, kind, since=0.0):
        with self.lock:
            return sum(1 for ev in self.events if ev["ev"] == kind and ev["t"] >= since)


def assert_no_double_ownership(members):
    """No partition was owned by two members at the same time (from their own callbacks)."""
    intervals = []
    for m in members:
        intervals += [(p, s, e, m.name) for p, s, e in m.ownership_intervals()]
    for i, a in enumerate(intervals):
        for b in intervals[i + 1:]:
            if a[0] == b[0] and a[3] != b[3] and a[1] < b[2] and b[1] < a[2]:
                raise AssertionError(f"partition {a[0]} owned by {a[3]} and {b[3]} at once: {a} {b}")


def stop_all(members):
    for m in members:
        if m.alive():
            m.stop()


class ZkGroupWatcher(threading.Thread):
    """Polls /consumers/<group> and its members; every Stable generation seen is checked for
    a partition assigned to two members."""

    def __init__(self, cluster, group, topic):
        super().__init__(daemon=True)
        self.cluster, self.group, self.topic = cluster, group, topic
        self.generations = {}  # generation -> {member: [partitions]}
        self.errors = []
        self.done = threading.Event()

    def run(self):
        from harness import ZkReader
        zk = ZkReader(self.cluster.zk)
        base = f"{self.cluster.chroot}/consumers/{self.group}"
        while not self.done.is_set():
            try:
                got = zk.get(base)
                if got and got[0]:
                    record = json.loads(got[0])
                    if record["state"] == "Stable":
                        assigned = {}
                        for name in zk.children(base + "/members") or []:
                            m = zk.get(f"{base}/members/{name}")
                            if m and m[0]:
                                member = json.loads(m[0])
                                assigned[member["member_id"]] = member.get("assigned_partitions", {}).get(self.topic, [])
                        again = zk.get(base)
                        if again and json.loads(again[0])["generation"] == record["generation"]:
                            self.generations[record["generation"]] = assigned
                            flat = [p for parts in assigned.values() for p in parts]
                            if len(flat) != len(set(flat)):
                                self.errors.append(f"generation {record['generation']}: {assigned}")
            except (OSError, ValueError, RuntimeError):
                pass
            time.sleep(0.1)
