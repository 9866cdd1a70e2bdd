"""`sluice produce`, `consume`, `perf` and `topic alter-config` against a real three-broker cluster.

Records written by `sluice produce` (keys, headers, a null value, every compression codec) are
read back intact by `sluice consume --format json` and by kcat; a group consumer commits what it
printed (also when stopped with Ctrl-C); perf prints valid JSON; alter-config keeps the overrides
it was not asked to change; a broker that does not auto-create topics gives a clear exit 1.
"""
import json
import os
import re
import signal
import subprocess
import threading
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import Cluster, wait_until  # noqa: E402

CLI = os.environ["SLUICE_CLI_BIN"]


def sluice(*args, brokers, stdin=None, timeout=90):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SLUICE_BROKERS": brokers}
    p = subprocess.run([CLI, *args], env=env, input=stdin, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def ok(*args, **kw):
    rc, out, err = sluice(*args, **kw)
    assert rc == 0, f"sluice {' '.join(args)} exited {rc}\nstdout:\n{out}\nstderr:\n{err}"
    return out, err


def fails(code, *args, **kw):
    rc, out, err = sluice(*args, **kw)
    assert rc == code, f"sluice {' '.join(args)}: expected exit {code}, got {rc}\nstdout:\n{out}\nstderr:\n{err}"
    return out, err


def group_lag(b, group):
    """{(topic, partition): (committed, log end, lag)} and the total lag from `group describe`."""
    rc, out, _ = sluice("group", "describe", group, brokers=b)
    if rc != 0:
        return None, None
    rows, inside = {}, False
    for line in out.splitlines():
        if line.startswith("TOPIC "):
            inside = True
            continue
        if inside:
            if not line.strip():
                break
            cells = line.split()
            rows[(cells[0], int(cells[1]))] = tuple(cells[2:5])
    m = re.search(r"total lag:\s+(\d+)", out)
    return rows, (int(m.group(1)) if m else None)


def as_records(json_lines, key_field, value_field, headers_of):
    out = []
    for line in json_lines.splitlines():
        if not line.strip():
            continue
        o = json.loads(line)
        out.append((o[key_field], o[value_field], headers_of(o)))
    return sorted(out, key=repr)


def main():
    with Cluster(brokers=3) as c:
        b = c.bootstrap
        ok("topic", "create", "events", "-p", "3", "-r", "2", brokers=b)

        # Usage errors: exit 2 before touching the cluster.
        fails(2, "produce", "events", "--acks", "2", brokers=b)
        fails(2, "produce", "events", "-z", "brotli", brokers=b)
        fails(2, "consume", "events", "-f", "%q", brokers=b)
        fails(2, "consume", "events", "-g", "g", "--offset", "3", brokers=b)
        for cmd in (["produce", "--help"], ["consume", "--help"], ["perf", "produce", "--help"],
                    ["perf", "consume", "--help"]):
            rc, out, _ = sluice(*cmd, brokers=b)
            assert rc == 0 and f"Usage: sluice {' '.join(cmd[:-1])}" in out, (cmd, out)

        # Keys, headers, a tombstone, every codec.
        expected = []
        for codec in ("none", "gzip", "snappy", "lz4", "zstd"):
            lines = [f"{codec}-k1:hello {codec}", f"{codec}-k2:NULL", f"{codec}-k3:a:b:c", f"no key {codec}", ""]
            out, err = ok("produce", "events", "-k", ":", "-H", "source=cli", "-H", f"codec={codec}",
                          "--null-value", "NULL", "-z", codec, brokers=b, stdin="\n".join(lines) + "\n")
            assert f"produced 5 records to events" in err, err
            headers = [["source", "cli"], ["codec", codec]]
            expected += [(f"{codec}-k1", f"hello {codec}", headers), (f"{codec}-k2", None, headers),
                         (f"{codec}-k3", "a:b:c", headers), (None, f"no key {codec}", headers), (None, "", headers)]
        # A custom delimiter and a fixed partition.
        out, err = ok("produce", "events", "-d", "|", "-p", "2", "--acks", "1", brokers=b, stdin="x|y|z")
        assert "produced 3 records" in err, err
        expected += [(None, v, []) for v in "xyz"]
        expected = sorted(expected, key=repr)
        n = len(expected)

        out, err = ok("consume", "events", "--from-beginning", "-n", str(n), "--format", "json", brokers=b)
        got = as_records(out, "key", "value", lambda o: [[h["key"], h["value"]] for h in o["headers"]])
        assert got == expected, f"sluice consume:\n{got}\nexpected:\n{expected}"
        p2 = [json.loads(l) for l in out.splitlines() if json.loads(l)["partition"] == 2 and json.loads(l)["key"] is None
              and json.loads(l)["value"] in ("x", "y", "z")]
        assert [r["value"] for r in sorted(p2, key=lambda r: r["offset"])] == ["x", "y", "z"], p2

        k = subprocess.run(["kcat", "-C", "-b", b, "-t", "events", "-o", "beginning", "-c", str(n), "-J", "-q"],
                           capture_output=True, text=True, timeout=60)
        assert k.returncode == 0, k.stderr
        got = as_records(k.stdout, "key", "payload",
                         lambda o: [list(o["headers"][i:i + 2]) for i in range(0, len(o.get("headers", [])), 2)])
        assert got == expected, f"kcat:\n{got}\nexpected:\n{expected}"

        # Text format placeholders.
        out, _ = ok("consume", "events", "-p", "2", "--offset", "0", "-n", "1", "-f", "%t/%p/%o %k=%v [%h]\\n",
                    brokers=b)
        assert re.fullmatch(r"events/2/0 \S*=.* \[.*\]\n", out), out
        out, _ = ok("consume", "events", "--from-beginning", "-n", "3", brokers=b)  # default: values
        assert len(out.splitlines()) == 3, out

        # A group member commits exactly what it printed: lag 0 afterwards.
        out, _ = ok("consume", "events", "-g", "readers", "--from-beginning", "-n", str(n), brokers=b)
        assert len(out.splitlines()) == n, out
        rows, total = group_lag(b, "readers")
        assert total == 0 and all(r[2] == "0" for r in rows.values()), rows
        # ... and resumes there: new records only.
        ok("produce", "events", brokers=b, stdin="after-1\nafter-2\n")
        rows, total = group_lag(b, "readers")
        assert total == 2, rows
        out, _ = ok("consume", "events", "-g", "readers", "-n", "2", brokers=b)
        assert sorted(out.split()) == ["after-1", "after-2"], out

        # Ctrl-C: exits 0, leaves the group and commits what it printed.
        ok("produce", "events", brokers=b, stdin="".join(f"late-{i}\n" for i in range(5)))
        p = subprocess.Popen([CLI, "--brokers", b, "consume", "events", "-g", "readers"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(iter(p.stdout.readline, "")), daemon=True)
        reader.start()
        try:
            # Interrupt only once it has printed the five records (joining the group and the
            # first fetch take a while on a loaded machine).
            wait_until(lambda: len(lines) >= 5, 60, what="the consumer printed the five late records")
            p.send_signal(signal.SIGINT)
            p.wait(timeout=30)
            reader.join(timeout=10)
            err = p.stderr.read()
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        out = "".join(lines)
        assert p.returncode == 0, (p.returncode, out, err)
        assert sorted(out.split()) == [f"late-{i}" for i in range(5)], out
        rows, total = group_lag(b, "readers")
        assert total == 0, rows

        # Delivery errors carry the Kafka error name, exit 1.
        ok("topic", "create", "small", "-p", "1", "-r", "1", "-c", "max.message.bytes=200", brokers=b)
        out, err = fails(1, "produce", "small", brokers=b, stdin="y" * 1000 + "\n")
        assert "MESSAGE_TOO_LARGE" in err and "produced 0 records" in err, err
        fails(1, "produce", "events", "-p", "7", brokers=b, stdin="x\n")
        out, err = fails(1, "consume", "no-such-topic", "-n", "1", brokers=b)
        assert "topic 'no-such-topic' does not exist" in err, err
        # This cluster auto-creates topics (the broker's choice).
        out, err = ok("produce", "fresh", brokers=b, stdin="one\n")
        assert "produced 1 record to fresh" in err, err

        # perf: valid JSON on stdout, progress on stderr.
        out, err = ok("perf", "produce", "bench", "-n", "20000", "-s", "100", "--json", brokers=b, timeout=180)
        result = json.loads(out)
        assert result["records"] == 20000 and result["failed"] == 0, result
        for key in ("records_per_s", "mb_per_s", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms",
                    "latency_p999_ms", "latency_max_ms"):
            assert isinstance(result[key], (int, float)) and result[key] >= 0, (key, result)
        assert result["latency_p50_ms"] <= result["latency_p99_ms"] <= result["latency_max_ms"], result
        out, err = ok("perf", "produce", "bench", "-n", "2000", "-s", "50", "-z", "lz4", "--acks", "1",
                      "--rate", "1000", brokers=b, timeout=180)
        assert "records/s" in out and "99.9th" in out, out
        assert "records sent" in err, err  # the progress line (the run takes ~2 s)
        out, err = ok("perf", "consume", "bench", "-n", "22000", "--json", brokers=b, timeout=180)
        assert json.loads(out)["records"] == 22000, out
        out, err = ok("perf", "consume", "bench", "-n", "1000", "-g", "perf-group", brokers=b, timeout=180)
        assert "records consumed" in out, out

        # alter-config merges: setting one key keeps the others, deleting one keeps the rest.
        ok("topic", "alter-config", "events", "-s", "retention.ms=3600000", brokers=b)
        ok("topic", "alter-config", "events", "-s", "cleanup.policy=compact", brokers=b)

        def overrides():
            out, _ = ok("topic", "describe", "events", brokers=b)
            return dict(re.findall(r"^\s+(\S+)\s+(\S+)\s+DYNAMIC_TOPIC_CONFIG", out, re.M))
        wait_until(lambda: overrides() == {"retention.ms": "3600000", "cleanup.policy": "compact"}, 20,
                   what="both overrides")
        ok("topic", "alter-config", "events", "-d", "retention.ms", brokers=b)
        wait_until(lambda: overrides() == {"cleanup.policy": "compact"}, 20, what="retention.ms removed")

    # A broker that does not auto-create topics: produce says so.
    with Cluster(brokers=1, broker_env={"SLUICE_AUTO_CREATE_TOPICS_ENABLE": "false"}) as c:
        out, err = fails(1, "produce", "missing", brokers=c.bootstrap, stdin="x\n")
        assert "topic 'missing' does not exist" in err, err
        fails(1, "perf", "produce", "missing", "-n", "10", brokers=c.bootstrap)
    print("cli_produce_consume: ok")


if __name__ == "__main__":
    main()
