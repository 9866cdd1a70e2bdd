#!/usr/bin/python3
"""Unclean leader election: only when asked for, and the old leader truncates (issue 6).

Two brokers, one partition on replicas [1, 2], min.insync.replicas=1.
1. Records acknowledged by both ("before"). Broker 2 is killed; once the controller has taken it
   out of the ISR, more records are acknowledged by broker 1 alone ("lost").
2. Broker 1 is killed and broker 2 comes back, out of sync: with unclean.leader.election.enable
   off (the default) it must not lead; as controller it marks the partition offline (ISR [1])
   and it stays so.
3. The topic's unclean.leader.election.enable is turned on (AlterConfigs): the controller
   elects broker 2 with a new epoch and ISR [2]. Records acknowledged now ("after") follow the
   "before" ones directly; the "lost" records are gone, which is what the setting accepts.
4. Broker 1 restarts: it truncates what broker 2 never had, follows, and rejoins the ISR.
Checked at the end: the partition holds exactly "before" then "after", at consecutive offsets.
"""
import sys
import time

from confluent_kafka.admin import AdminClient, ConfigResource

from faultlib import (AckedProducer, FaultCluster, create_topic, describe, live_bootstrap, log, read_all,
                      wait_full_isr, wait_isr)

TOPIC = "faults-unclean"
PARTS = [0]
BROKER_ENV = {"SLUICE_ZOOKEEPER_SESSION_TIMEOUT_MS": "6000", "SLUICE_AUTO_LEADER_REBALANCE_ENABLE": "false"}


def produce(c, tag, n, acks):
    prod = AckedProducer(live_bootstrap(c), TOPIC, PARTS, acks=acks, tag=tag,
                         config={"message.timeout.ms": 30000})
    for _ in range(n):
        prod.produce_one(0)
    left = prod.stop(45)
    log(prod.summary())
    assert left == 0 and not prod.failed and len(prod.acked[0]) == n, \
        f"{tag}: {left} unreported, failures {prod.failed[:3]}"
    return [value for _seq, _offset, value, _t in sorted(prod.acked[0])]


def main():
    with FaultCluster(brokers=2, broker_env=BROKER_ENV) as c:
        create_topic(c, TOPIC, 1, 2, {"min.insync.replicas": "1"}, assignment=[[1, 2]])
        start = wait_full_isr(c, TOPIC, PARTS, [1, 2], 30)[0]
        assert start["leader"] == 1, describe(start)
        before = produce(c, "before", 10, "all")

        c.broker(2).kill()
        alone = wait_isr(c, TOPIC, PARTS, lambda s: s["isr"] == [1], 30, "broker 2 out of the ISR")[0]
        log(f"broker 2 killed: {describe(alone)}")
        lost = produce(c, "lost", 10, "1")

        c.broker(1).kill()  # also the controller: nobody is left to change the state now
        c.broker(2).restart()
        # Broker 2 becomes the controller, finds leader 1 gone, and may only mark the partition
        # offline (clean election: nobody of the ISR is alive).
        offline = wait_isr(c, TOPIC, PARTS, lambda s: s["leader"] == -1, 30, "the partition offline")[0]
        log(f"broker 1 killed, broker 2 back: {describe(offline)}")
        assert offline["isr"] == [1], f"the offline partition keeps its last ISR: {describe(offline)}"
        deadline = time.time() + 8
        while time.time() < deadline:
            st = c.partition_state(TOPIC, 0)
            assert st["leader"] == -1, f"an out-of-sync replica was elected without the setting: {describe(st)}"
            time.sleep(0.25)
        assert c.registered_broker_ids() == [2]

        admin = AdminClient({"bootstrap.servers": live_bootstrap(c)})
        resource = ConfigResource("topic", TOPIC, set_config={"min.insync.replicas": "1",
                                                              "unclean.leader.election.enable": "true"})
        admin.alter_configs([resource])[resource].result(30)
        elected = wait_isr(c, TOPIC, PARTS, lambda s: s["leader"] == 2, 20, "broker 2 elected uncleanly")[0]
        log(f"unclean election: {describe(elected)}")
        assert elected["isr"] == [2] and elected["leader_epoch"] > offline["leader_epoch"], describe(elected)
        assert "unclean leader election: broker 2" in "".join(b.log() for b in c.brokers)
        after = produce(c, "after", 10, "all")

        c.broker(1).restart()
        back = wait_full_isr(c, TOPIC, PARTS, [1, 2], 60)[0]
        log(f"broker 1 back: {describe(back)}")
        assert back["leader"] == 2, describe(back)
        assert "truncating from" in c.broker(1).log(), "broker 1 kept the records broker 2 never had"

        records = read_all(c, TOPIC, PARTS)[0]
        values = [v for _o, v in records]
        offsets = [o for o, _v in records]
        assert values == before + after, f"want before+after, got {values}"
        assert offsets == list(range(len(values))), f"offsets not consecutive: {offsets}"
        assert not set(lost) & set(values)
        log(f"{len(before)} before + {len(after)} after at offsets 0..{len(values) - 1}; "
            f"{len(lost)} records written only to the old leader are gone, as unclean election allows")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
