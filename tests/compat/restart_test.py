#!/usr/bin/python3
"""A broker killed with SIGKILL restarts (its stale registration expires first), recovers its
logs, and serves every record that was acknowledged before the kill, in order."""
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from harness import Cluster


def main():
    with Cluster(brokers=1) as c:
        p = Producer({"bootstrap.servers": c.bootstrap, "acks": "1", "linger.ms": 2})
        acked = []
        for i in range(5000):
            p.produce("durable", value=f"r{i}".encode(),
                      on_delivery=lambda err, msg: acked.append(msg.value().decode()) if err is None else None)
            if i % 500 == 0:
                p.poll(0)
        p.flush(30)
        assert len(acked) == 5000, len(acked)
        broker = c.brokers[0]
        broker.kill()
        broker.start(timeout=60)
        log = broker.log()
        assert "recover" in log.lower() or "started in cluster" in log, log[-2000:]

        consumer = Consumer({"bootstrap.servers": c.bootstrap, "group.id": "restart",
                             "enable.partition.eof": True, "enable.auto.commit": False})
        consumer.assign([TopicPartition("durable", 0, 0)])
        got = []
        deadline = time.time() + 60
        while time.time() < deadline:
            m = consumer.poll(1.0)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    break
                continue
            got.append(m.value().decode())
        consumer.close()
        assert got[:len(acked)] == acked, f"{len(got)} read back, {len(acked)} acknowledged"
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
