#!/usr/bin/python3
"""zkCli.sh (Debian's ZooKeeper) shows a Sluice cluster as docs/znodes.md documents it:
/brokers/ids/<id> with Kafka's broker JSON, topic assignment and partition state znodes; the
broker's ephemeral disappears at clean shutdown at once, and after SIGKILL once the session
times out."""
import json
import subprocess
import sys

from harness import Cluster, wait_until

ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh"


def zk(server, *cmd):
    out = subprocess.run([ZKCLI, "-server", server, *cmd], capture_output=True, text=True, timeout=60)
    return out.stdout + out.stderr


def get_json(server, path):
    for line in zk(server, "get", path).splitlines():
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    return None


def exists(server, path):
    return "Node does not exist" not in zk(server, "stat", path)


def main():
    with Cluster(brokers=2) as c:
        root = c.chroot
        b1 = get_json(c.zk, f"{root}/brokers/ids/1")
        assert b1 and b1["version"] == 5 and b1["port"] == c.brokers[0].port, b1
        assert b1["endpoints"] == [f"PLAINTEXT://127.0.0.1:{c.brokers[0].port}"], b1
        assert b1["listener_security_protocol_map"] == {"PLAINTEXT": "PLAINTEXT"}, b1
        ctl = get_json(c.zk, f"{root}/controller")
        assert ctl and ctl["brokerid"] in (1, 2) and ctl["version"] == 1, ctl
        subprocess.run(["kcat", "-b", c.bootstrap, "-L", "-t", "zkview"], capture_output=True, timeout=60)
        topic = wait_until(lambda: get_json(c.zk, f"{root}/brokers/topics/zkview"), 20, what="topic znode")
        assert topic["version"] == 3 and "0" in topic["partitions"], topic
        state = wait_until(lambda: get_json(c.zk, f"{root}/brokers/topics/zkview/partitions/0/state"), 20,
                           what="partition state")
        assert set(state) >= {"controller_epoch", "leader", "version", "leader_epoch", "isr"}, state
        cluster_id = get_json(c.zk, f"{root}/cluster/id")
        assert cluster_id["version"] == "1" and len(cluster_id["id"]) == 22, cluster_id

        c.brokers[0].stop()
        assert not exists(c.zk, f"{root}/brokers/ids/1"), "clean shutdown must deregister at once"
        # A killed broker does not deregister: its ephemeral goes when ZooKeeper expires the
        # session (how long that takes is not asserted: zkCli alone can take seconds to start).
        c.brokers[1].kill()
        wait_until(lambda: not exists(c.zk, f"{root}/brokers/ids/2"), 30, what="ephemeral expiry")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
