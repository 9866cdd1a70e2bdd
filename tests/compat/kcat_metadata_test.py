#!/usr/bin/python3
"""kcat -L against a real broker: brokers, controller, auto-created topic with leaders."""
import subprocess
import sys

from harness import Cluster, wait_until


def kcat_list(bootstrap, topic=None):
    cmd = ["kcat", "-b", bootstrap, "-L", "-J", "-m", "10"]
    if topic:
        cmd += ["-t", topic]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError(f"kcat failed: {out.stderr}")
    import json
    return json.loads(out.stdout)


def main():
    with Cluster(brokers=1, broker_env={"SLUICE_NUM_PARTITIONS": "3"}) as c:
        md = kcat_list(c.bootstrap)
        assert [b["id"] for b in md["brokers"]] == [1], md
        assert md["controllerid"] == 1, md
        assert md["topics"] == [], md
        # Naming an unknown topic auto-creates it; leaders appear once the controller ran.
        kcat_list(c.bootstrap, "auto")
        def has_leaders():
            t = [t for t in kcat_list(c.bootstrap)["topics"] if t["topic"] == "auto"]
            return t and len(t[0]["partitions"]) == 3 and all(p["leader"] == 1 for p in t[0]["partitions"])
        wait_until(has_leaders, 30, what="leaders of auto-created topic")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
