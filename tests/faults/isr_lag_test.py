#!/usr/bin/python3
"""A follower that stops fetching leaves the ISR after replica.lag.time.max.ms and rejoins once
it catches up (issue 6).

Three brokers with replica.lag.time.max.ms=3000, a topic with replication factor 3, a light
acks=1 producer. One follower of partition 0 is frozen with SIGSTOP (it keeps its sockets). Its
ZooKeeper session is made much longer than the pause (30 s, ZooKeeper tick 2 s), so the shrink
can only come from the leader's lag tracking, not from the controller seeing a dead broker:
/brokers/ids/<follower> must still exist when the ISR loses it. The leader and the leader
epoch stay as they were (an ISR change is not a leader change); with the follower out of the
ISR an acks=all write succeeds without it. After SIGCONT the follower catches up and the
leader puts it back into the ISR. The follower is always continued in a finally.
"""
import sys
import time

from faultlib import (AckedProducer, FaultCluster, check_acked_durable, create_topic, describe, log,
                      read_all, wait_for, wait_full_isr, wait_isr)

TOPIC = "faults-isr-lag"
PARTS = [0]
BROKER_ENV = {
    "SLUICE_REPLICA_LAG_TIME_MAX_MS": "3000",
    "SLUICE_ZOOKEEPER_SESSION_TIMEOUT_MS": "30000",
}
SHRINK_BOUND = 20  # s; well below the 30 s session timeout
REJOIN_BOUND = 30


def main():
    # ZooKeeper grants at most 20 ticks: a 2 s tick allows the 30 s session asked for above.
    with FaultCluster(brokers=3, broker_env=BROKER_ENV, zk_tick_ms=2000) as c:
        create_topic(c, TOPIC, len(PARTS), 3)
        ids = [b.id for b in c.brokers]
        start = wait_full_isr(c, TOPIC, PARTS, ids, 30)[0]
        log(f"initial state: {describe(start)}")
        leader = start["leader"]
        follower = c.broker(next(r for r in sorted(start["isr"]) if r != leader))

        prod = AckedProducer(c.bootstrap, TOPIC, PARTS, acks="1", rate=40, tag="ack-1").start()
        try:
            wait_for(lambda: len(prod.acked[0]) >= 10, 30, "first acks=1 acknowledgements")
            log(f"SIGSTOP follower {follower.id} (pid {follower.pid})")
            follower.pause()
            t_stop = time.time()
            try:
                shrunk = wait_isr(c, TOPIC, PARTS, lambda s: follower.id not in s["isr"], SHRINK_BOUND,
                                  f"the ISR to drop stopped follower {follower.id}")[0]
                t_shrink = time.time() - t_stop
                registered = c.registered_broker_ids()
                log(f"ISR shrank after {t_shrink:.1f}s: {describe(shrunk)}; registered brokers {registered}")
                assert follower.id in registered, \
                    f"follower {follower.id}'s session ended during the pause, so the shrink proves nothing " \
                    f"about lag tracking (registered: {registered})"
                assert shrunk["leader"] == leader, \
                    f"leader changed on an ISR shrink: {describe(start)} -> {describe(shrunk)}"
                assert shrunk["leader_epoch"] == start["leader_epoch"], \
                    f"leader epoch changed on an ISR shrink: {describe(start)} -> {describe(shrunk)}"
                assert shrunk["zk_version"] > start["zk_version"], (start, shrunk)
                assert sorted(shrunk["isr"]) == sorted(set(ids) - {follower.id}), \
                    f"only the stopped follower should leave the ISR: {describe(shrunk)}"
                assert t_shrink >= 2.0, \
                    f"ISR shrank {t_shrink:.1f}s after SIGSTOP, before replica.lag.time.max.ms=3000 passed"

                # With the stopped follower out of the ISR, acks=all no longer waits for it.
                strict = AckedProducer(c.bootstrap, TOPIC, PARTS, acks="all", tag="ack-all-shrunk",
                                       config={"message.timeout.ms": 20000, "retries": 3})
                for _ in range(20):
                    strict.produce_one(0)
                left = strict.stop(30)
                log(strict.summary())
                assert left == 0 and not strict.failed and len(strict.acked[0]) == 20, \
                    f"acks=all with ISR {shrunk['isr']} (follower {follower.id} out of it) did not succeed: " \
                    f"{strict.summary()}, first errors {strict.failed[:3]}"
            finally:
                follower.resume()
                log(f"SIGCONT follower {follower.id}")
            t_cont = time.time()
            back = wait_isr(c, TOPIC, PARTS, lambda s: follower.id in s["isr"], REJOIN_BOUND,
                            f"follower {follower.id} to rejoin the ISR after SIGCONT")[0]
            log(f"rejoined after {time.time() - t_cont:.1f}s: {describe(back)}")
            assert back["leader"] == leader and back["leader_epoch"] == start["leader_epoch"], \
                f"leadership changed although the leader never stopped: {describe(start)} -> {describe(back)}"
            assert sorted(back["isr"]) == ids, describe(back)
            missing = prod.stop(60)
        finally:
            prod.abort()
        log(prod.summary())
        assert missing == 0 and not prod.failed, \
            f"acks=1 deliveries failed although the leader never stopped: {prod.summary()} {prod.failed[:3]}"
        log(check_acked_durable([prod, strict], read_all(c, TOPIC, PARTS)))
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
