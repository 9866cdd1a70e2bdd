#!/usr/bin/python3
"""kcat -P then kcat -C -e through a real broker: 100k keyed records with headers come back
in order per partition, byte for byte, and batches compressed with every codec are stored
and served intact."""
import os
import subprocess
import sys
import tempfile

from harness import Cluster

N = 100_000


def produce(bootstrap, topic, lines, extra=()):
    with tempfile.NamedTemporaryFile("w", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        cmd = ["kcat", "-b", bootstrap, "-P", "-t", topic, "-K", ":", "-H", "origin=kcat",
               "-X", "linger.ms=5", "-X", "batch.num.messages=5000", *extra, "-l", path]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
        assert out.returncode == 0, f"kcat -P failed: {out.stderr}"
    finally:
        os.unlink(path)


def consume(bootstrap, topic):
    cmd = ["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
           "-f", "%p %o %k %s %h\n"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, f"kcat -C failed: {out.stderr}"
    rows = []
    for line in out.stdout.splitlines():
        p, o, k, v, h = line.split(" ", 4)
        rows.append((int(p), int(o), k, v, h))
    return rows


def check(rows, lines):
    expected = [l.split(":", 1) for l in lines]
    assert len(rows) == len(expected), f"{len(rows)} records back, {len(expected)} produced"
    got = {(k, v) for _, _, k, v, _ in rows}
    assert got == {(k, v) for k, v in expected}, "records differ"
    assert all(h == "origin=kcat" for *_, h in rows), "headers lost"
    position = {v: i for i, (_, v) in enumerate(expected)}
    by_partition = {}
    for p, o, k, v, _ in rows:
        by_partition.setdefault(p, []).append((o, v))
    for p, items in by_partition.items():
        offsets = [o for o, _ in items]
        assert offsets == list(range(len(items))), f"partition {p}: offsets not 0..n-1"
        order = [position[v] for _, v in items]
        assert order == sorted(order), f"partition {p}: records out of produce order"


def main():
    with Cluster(brokers=1, broker_env={"SLUICE_NUM_PARTITIONS": "3"}) as c:
        lines = [f"key{i % 997}:value-{i:06d}-" + "x" * (i % 50) for i in range(N)]
        produce(c.bootstrap, "roundtrip", lines)
        check(consume(c.bootstrap, "roundtrip"), lines)
        print(f"plain: {N} records ok")
        for codec in ("gzip", "snappy", "lz4", "zstd"):
            topic = f"codec-{codec}"
            small = [f"k{i % 13}:{codec}-{i:05d}-" + "y" * (i % 200) for i in range(10_000)]
            produce(c.bootstrap, topic, small, ("-z", codec))
            check(consume(c.bootstrap, topic), small)
            print(f"{codec}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
