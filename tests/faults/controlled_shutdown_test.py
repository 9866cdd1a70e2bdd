#!/usr/bin/python3
"""Controlled shutdown and preferred-leader election (issue 6).

Three brokers, a topic with 3 partitions and replication factor 3 whose assignment makes broker
1 the preferred leader of partition 0, min.insync.replicas=2, an idempotent acks=all producer
throughout. Automatic rebalancing is off (the election is requested explicitly).

1. SIGTERM to the leader of partition 0: while it is still running, the controller moves its
   leaderships to other in-sync replicas and takes it out of every ISR
   (/admin/controlled_shutdown/<id>), and no leader takes it back in although it keeps
   fetching (KIP-841); then it exits by itself (return code 0), and no delivery fails.
2. It is restarted and catches up into every ISR, but partition 0 stays with its new leader.
3. zkCli.sh creates /admin/preferred_replica_election naming partition 0 (Kafka's payload): the
   controller moves leadership back to broker 1 with a higher epoch and deletes the request.
Checked at the end: every acknowledged record at its offset, in send order, none written twice.
"""
import json
import subprocess
import sys
import time

from faultlib import (ZKCLI, AckedProducer, FaultCluster, check_acked_durable, create_topic, describe, log,
                      read_all, wait_for, wait_full_isr, wait_isr)

TOPIC = "faults-controlled-shutdown"
PARTS = [0, 1, 2]
BROKER_ENV = {
    "SLUICE_ZOOKEEPER_SESSION_TIMEOUT_MS": "6000",
    "SLUICE_AUTO_LEADER_REBALANCE_ENABLE": "false",
}


def main():
    with FaultCluster(brokers=3, broker_env=BROKER_ENV) as c:
        create_topic(c, TOPIC, len(PARTS), 3, {"min.insync.replicas": "2"},
                     assignment=[[1, 2, 3], [2, 3, 1], [3, 1, 2]])
        ids = [b.id for b in c.brokers]
        start = wait_full_isr(c, TOPIC, PARTS, ids, 30)
        assert start[0]["leader"] == 1, f"broker 1 should lead partition 0 first: {describe(start[0])}"
        prod = AckedProducer(c.bootstrap, TOPIC, PARTS, acks="all", rate=150, tag="idem",
                             config={"enable.idempotence": True, "request.timeout.ms": 30000}).start()
        try:
            wait_for(lambda: all(len(prod.acked[p]) >= 20 for p in PARTS), 30, "first acknowledgements")

            victim = c.broker(1)
            others = [b for b in c.brokers if b.id != 1]
            log_marks = {b.id: len(b.log()) for b in others}
            victim.proc.send_signal(15)  # SIGTERM: a clean, controlled shutdown
            victim.stopped_by_test = True
            moved = wait_isr(c, TOPIC, PARTS, lambda s: s["leader"] not in (1, -1) and 1 not in s["isr"], 20,
                             "leadership and ISR membership away from the broker shutting down")
            log("moved away: " + "; ".join(f"p{p}: {describe(s)}" for p, s in moved.items()))
            assert moved[0]["leader_epoch"] > start[0]["leader_epoch"], "a leader change bumps the epoch"
            rc = victim.proc.wait(30)
            assert rc == 0, f"broker 1 exited with {rc} after SIGTERM"
            shutdown_log = victim.log()
            assert "controlled shutdown: leadership moved" in shutdown_log, shutdown_log[-3000:]
            # KIP-841: its fetchers kept running and caught up while it left, yet no leader
            # took it back into an ISR the controller had just taken it out of.
            for b in others:
                rejoined = [line for line in b.log()[log_marks[b.id]:].splitlines()
                            if "follower 1 caught up" in line]
                assert not rejoined, f"broker {b.id} re-added the leaving broker: {rejoined[:3]}"

            victim.restart()
            back = wait_full_isr(c, TOPIC, PARTS, ids, 30)
            assert back[0]["leader"] != 1, f"no automatic move back with rebalancing off: {describe(back[0])}"

            request = json.dumps({"version": 1, "partitions": [{"topic": TOPIC, "partition": 0}]})
            out = subprocess.run([ZKCLI, "-server", c.zk, "create", c.chroot + "/admin/preferred_replica_election",
                                  request], capture_output=True, text=True, timeout=60)
            assert "Created" in out.stdout + out.stderr, out.stdout + out.stderr
            pref = wait_isr(c, TOPIC, [0], lambda s: s["leader"] == 1, 20, "partition 0 back on broker 1")[0]
            log(f"after the preferred election: {describe(pref)}")
            assert pref["leader_epoch"] > back[0]["leader_epoch"]
            wait_for(lambda: c.zk_get_json("/admin/preferred_replica_election") is None, 20,
                     "the election request deleted by the controller")
            others = {p: c.partition_state(TOPIC, p)["leader"] for p in (1, 2)}
            assert others == {1: back[1]["leader"], 2: back[2]["leader"]}, \
                f"only the named partition moves: {others}"

            before = prod.acked_count()
            wait_for(lambda: prod.acked_count() > before + 50, 30, "acknowledgements after the election")
            missing = prod.stop(90)
        finally:
            prod.abort()
        log(prod.summary())
        assert missing == 0, f"{missing} records without a delivery report"
        assert not prod.failed, f"deliveries failed: {prod.failed[:5]}"
        log(check_acked_durable([prod], read_all(c, TOPIC, PARTS), exactly_once=True))
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
