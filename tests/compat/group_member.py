#!/usr/bin/python3
"""One confluent_kafka (librdkafka) consumer-group member, run as its own process by the group
tests so that it can be SIGKILLed. Prints one JSON line per event on stdout, with the time:

  {"ev":"assign","parts":[0,3],"t":...}   partitions assigned (eager protocol: the whole set)
  {"ev":"revoke","parts":[0,3],"t":...}
  {"ev":"msg","p":0,"o":17,"t":...}      a record processed; it is committed right after
  {"ev":"closed","t":...}

Usage: group_member.py BOOTSTRAP GROUP TOPIC [INSTANCE_ID]. SIGTERM closes the consumer
cleanly (LeaveGroup)."""
import json
import os
import signal
import sys
import time

from confluent_kafka import Consumer, KafkaException


def emit(**event):
    event["t"] = time.time()
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def main():
    bootstrap, group, topic = sys.argv[1:4]
    conf = {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": int(os.environ.get("GROUP_MEMBER_SESSION_TIMEOUT_MS", "6000")),
        "heartbeat.interval.ms": 500,
        "max.poll.interval.ms": 60000,
        "partition.assignment.strategy": "range",
    }
    if len(sys.argv) > 4:
        conf["group.instance.id"] = sys.argv[4]
    consumer = Consumer(conf)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))

    def on_assign(c, parts):
        emit(ev="assign", parts=sorted(p.partition for p in parts))

    def on_revoke(c, parts):
        emit(ev="revoke", parts=sorted(p.partition for p in parts))

    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    while not stopping:
        m = consumer.poll(0.2)
        if m is None:
            continue
        if m.error():
            emit(ev="error", error=str(m.error()))
            continue
        emit(ev="msg", p=m.partition(), o=m.offset())
        # Commit after processing: a record is committed only once it has been handled.
        for attempt in range(20):
            try:
                consumer.commit(message=m, asynchronous=False)
                break
            except KafkaException as e:
                emit(ev="commit_error", error=str(e))
                time.sleep(0.25)
    consumer.close()
    emit(ev="closed")


if __name__ == "__main__":
    main()
