#!/usr/bin/python3
"""ISR below min.insync.replicas: acks=all is refused with NOT_ENOUGH_REPLICAS, acks=1 still
works, and acks=all works again once the replicas are back (issue 6).

Three brokers, a topic with replication factor 3 and min.insync.replicas=2. Both followers of
the partition are killed with SIGKILL; once the controller has shrunk the ISR to the leader
alone, an acks=all record (retries=0, so librdkafka reports the broker's own error rather than
a timeout) must fail with NOT_ENOUGH_REPLICAS and must not be in the log (Kafka checks the ISR
before appending), while an acks=1 record is acknowledged and readable. The followers are
restarted; once the ISR has two members again acks=all is acknowledged.
"""
import sys
import time

from confluent_kafka import KafkaError

from faultlib import (AckedProducer, FaultCluster, check_acked_durable, create_topic, describe, log,
                      read_all, wait_full_isr, wait_isr)

TOPIC = "faults-min-isr"
PARTS = [0]
BROKER_ENV = {"SLUICE_REPLICA_LAG_TIME_MAX_MS": "10000"}


def produce_batch(c, acks, tag, n, config=None):
    """Sends n records to partition 0 and waits for all their delivery reports."""
    config = {"message.timeout.ms": 30000, **(config or {})}
    prod = AckedProducer(c.bootstrap, TOPIC, PARTS, acks=acks, tag=tag, config=config)
    for _ in range(n):
        prod.produce_one(0)
    left = prod.stop(config["message.timeout.ms"] / 1000 + 15)
    log(prod.summary() + (f" errors {sorted({e.name() for _, _, e in prod.failed})}" if prod.failed else ""))
    assert left == 0, f"{tag}: {left} records without a delivery report"
    return prod


def main():
    with FaultCluster(brokers=3, broker_env=BROKER_ENV) as c:
        create_topic(c, TOPIC, 1, 3, {"min.insync.replicas": "2"})
        ids = [b.id for b in c.brokers]
        start = wait_full_isr(c, TOPIC, PARTS, ids, 30)[0]
        log(f"initial state: {describe(start)}")
        leader = start["leader"]
        followers = [c.broker(i) for i in ids if i != leader]

        healthy = produce_batch(c, "all", "all-healthy", 20)
        errors = sorted({e.name() for _, _, e in healthy.failed})
        assert len(healthy.acked[0]) == 20, f"acks=all with the full ISR {start['isr']} failed: {errors}"

        for f in followers:
            log(f"SIGKILL follower {f.id} (pid {f.pid})")
            f.kill()
        alone = wait_isr(c, TOPIC, PARTS, lambda s: s["isr"] == [leader], 30,
                         f"the ISR to shrink to leader {leader} alone")[0]
        log(f"ISR shrank: {describe(alone)}")
        assert alone["leader"] == leader, describe(alone)

        # retries=0: the delivery report carries the broker's error, not a message timeout.
        refused = produce_batch(c, "all", "all-refused", 5, {"retries": 0, "message.timeout.ms": 15000})
        codes = sorted({e.code() for _, _, e in refused.failed})
        names = sorted({e.name() for _, _, e in refused.failed})
        assert not refused.acked[0], \
            f"acks=all acknowledged with ISR {alone['isr']} < min.insync.replicas=2: {refused.acked[0][:3]}"
        assert codes == [KafkaError.NOT_ENOUGH_REPLICAS], \
            f"acks=all with ISR {alone['isr']} failed with {names}, expected NOT_ENOUGH_REPLICAS"

        ack1 = produce_batch(c, "1", "one-alone", 20, {"message.timeout.ms": 20000})
        assert len(ack1.acked[0]) == 20, f"acks=1 with the leader alive failed: {ack1.failed[:3]}"

        logs = read_all(c, TOPIC, PARTS, timeout=30)
        values = {v for _, v in logs[0]}
        present = [f"all-refused|0|{i}" for i in range(5) if f"all-refused|0|{i}" in values]
        assert not present, f"records refused with NOT_ENOUGH_REPLICAS were appended anyway: {present}"
        log(check_acked_durable([healthy, ack1], logs))

        for f in followers:
            log(f"restarting follower {f.id}")
            f.restart(60)
        t_restart = time.time()
        back = wait_isr(c, TOPIC, PARTS, lambda s: len(s["isr"]) >= 2, 45,
                        "the ISR to reach min.insync.replicas=2 again after the restarts")[0]
        log(f"ISR back to {describe(back)} after {time.time() - t_restart:.1f}s")
        again = produce_batch(c, "all", "all-again", 20, {"message.timeout.ms": 30000})
        assert len(again.acked[0]) == 20, \
            f"acks=all with ISR {back['isr']} still failing: {sorted({e.name() for _, _, e in again.failed})}"
        wait_full_isr(c, TOPIC, PARTS, ids, 45)
        log(check_acked_durable([healthy, ack1, again], read_all(c, TOPIC, PARTS)))
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
