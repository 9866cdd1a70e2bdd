"""The `sluice` CLI's admin commands (topic, group, cluster) against a real three-broker cluster.

Runs the real binary ($SLUICE_CLI_BIN) and checks its output and exit codes: 0 ok, 1 a Kafka
error (unknown topic, ...), 2 a usage error, 3 an unreachable cluster.
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import Cluster, wait_until  # noqa: E402

CLI = os.environ["SLUICE_CLI_BIN"]


def sluice(*args, brokers=None, env_brokers=None, timeout=60):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if env_brokers is not None:
        env["SLUICE_BROKERS"] = env_brokers
    cmd = [CLI] + (["--brokers", brokers] if brokers else []) + list(args)
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def ok(*args, **kw):
    rc, out, err = sluice(*args, **kw)
    assert rc == 0, f"sluice {' '.join(args)} exited {rc}\nstdout:\n{out}\nstderr:\n{err}"
    return out


def fails(code, *args, **kw):
    rc, out, err = sluice(*args, **kw)
    assert rc == code, f"sluice {' '.join(args)}: expected exit {code}, got {rc}\nstdout:\n{out}\nstderr:\n{err}"
    return out, err


def table_rows(text, first_column):
    """Rows (lists of cells) of the table whose header starts with `first_column`."""
    rows, inside = [], False
    for line in text.splitlines():
        if line.startswith(first_column + " "):
            inside = True
            continue
        if inside:
            if not line.strip():
                break
            rows.append(line.split())
    return rows


def main():
    with Cluster(brokers=3) as c:
        b = c.bootstrap

        # Usage and reachability first: they need no topic.
        rc, out, err = sluice("--help")
        assert rc == 0 and "topic" in out and "Exit codes" in out, out
        for cmd in (["topic", "--help"], ["topic", "create", "--help"], ["group", "reset-offsets", "--help"],
                    ["cluster", "znodes", "--help"]):
            assert sluice(*cmd)[0] == 0, cmd
        fails(2, "topic")                                  # a group needs a subcommand
        fails(2, "topic", "create", brokers=b)             # NAME is required
        fails(2, "topic", "create", "x", "-p", "zero", brokers=b)
        out, err = fails(3, "--timeout", "1500", "topic", "list", brokers="127.0.0.1:1")
        assert "127.0.0.1:1" in err and "reach" in err, err

        # cluster info: three brokers, a controller, an id; SLUICE_BROKERS works like --brokers.
        out = ok("cluster", "info", env_brokers=b)
        assert re.search(r"cluster id:\s+\S+", out), out
        controller = int(re.search(r"controller:\s+(\d+)", out).group(1))
        assert controller == c.controller_id(), (controller, c.controller_id())
        brokers = table_rows(out, "ID")
        assert [r[0] for r in brokers] == ["1", "2", "3"], out
        assert sum(1 for r in brokers if r[-1] == "controller") == 1, out

        # topic create / list / describe.
        out = ok("topic", "create", "orders", "-p", "3", "-r", "2", "-c", "retention.ms=3600000", brokers=b)
        assert "created topic orders" in out, out
        out, err = fails(1, "topic", "create", "orders", "-p", "3", "-r", "2", brokers=b)
        assert "TOPIC_ALREADY_EXISTS" in err, err
        out, err = fails(1, "topic", "create", "wide", "-p", "1", "-r", "5", brokers=b)
        assert "INVALID_REPLICATION_FACTOR" in err, err

        out = wait_until(lambda: (lambda r: r[1] if r[0] == 0 and "orders" in r[1] else None)(
            sluice("topic", "list", brokers=b)), 20, what="orders listed")
        rows = {r[0]: r for r in table_rows(out, "NAME")}
        assert rows["orders"][1] == "3", out
        assert "wide" not in rows

        def described():
            rc, out, _ = sluice("topic", "describe", "orders", brokers=b)
            rows = table_rows(out, "PARTITION") if rc == 0 else []
            return out if len(rows) == 3 and all(r[1] != "none" for r in rows) else None
        out = wait_until(described, 20, what="orders described with leaders")
        for r in table_rows(out, "PARTITION"):
            partition, leader, epoch, replicas, isr, earliest, latest, messages = r
            assert leader in replicas.split(","), r
            assert len(replicas.split(",")) == 2, r
            assert (earliest, latest, messages) == ("0", "0", "0"), r
        assert re.search(r"retention\.ms\s+3600000\s+DYNAMIC_TOPIC_CONFIG", out), out

        out, err = fails(1, "topic", "describe", "no-such-topic", brokers=b)
        assert "no-such-topic" in err and "does not exist" in err, err

        # add-partitions, and refusing to shrink.
        out = ok("topic", "add-partitions", "orders", "--total", "5", brokers=b)
        assert "5 partitions" in out, out
        wait_until(lambda: sluice("topic", "describe", "orders", brokers=b)[1].count("\n") and
                   len(table_rows(sluice("topic", "describe", "orders", brokers=b)[1], "PARTITION")) == 5,
                   20, what="5 partitions")
        out, err = fails(1, "topic", "add-partitions", "orders", "--total", "2", brokers=b)
        assert "INVALID_PARTITIONS" in err, err

        # alter-config: works once the brokers serve AlterConfigs; until then a clear Kafka-level
        # error (exit 1), never a crash or a silent success.
        rc, out, err = sluice("topic", "alter-config", "orders", "-s", "cleanup.policy=compact", brokers=b)
        if rc == 0:
            assert "set cleanup.policy=compact" in out, out
            wait_until(lambda: re.search(r"cleanup\.policy\s+compact", sluice("topic", "describe", "orders",
                                                                                brokers=b)[1]), 20,
                       what="cleanup.policy=compact")
        else:
            assert rc == 1 and "AlterConfigs" in err, (rc, out, err)
        fails(2, "topic", "alter-config", "orders", brokers=b)  # nothing to change
        fails(1, "topic", "alter-config", "no-such-topic", "-s", "retention.ms=1", brokers=b)

        # Groups: reset-offsets creates commits (dry run first), then describe, list, delete.
        out = ok("group", "reset-offsets", "g1", "--topic", "orders", "--to-latest", brokers=b)
        assert "dry run" in out, out
        out, err = fails(1, "group", "describe", "g1", brokers=b)  # the dry run committed nothing
        assert "does not exist" in err, err
        out = ok("group", "reset-offsets", "g1", "--topic", "orders:0,2", "--to-earliest", "--execute", brokers=b)
        assert "committed 2 offset(s)" in out, out
        out = ok("group", "describe", "g1", brokers=b)
        assert re.search(r"state:\s+Empty", out), out
        offsets = {(r[0], r[1]): r for r in table_rows(out, "TOPIC")}
        assert offsets[("orders", "0")][2:5] == ["0", "0", "0"], out   # committed, log end, lag
        assert offsets[("orders", "2")][2] == "0", out
        assert offsets[("orders", "1")][2] == "-", out                 # no commit
        fails(2, "group", "reset-offsets", "g1", "--topic", "orders", brokers=b)  # no target
        fails(2, "group", "reset-offsets", "g1", "--topic", "orders", "--to-datetime", "yesterday", brokers=b)
        out = ok("group", "reset-offsets", "g1", "--topic", "orders", "--to-datetime", "2020-01-01T00:00:00Z",
                 brokers=b)
        out, err = fails(1, "group", "reset-offsets", "g1", "--topic", "nope", "--to-earliest", brokers=b)
        assert "nope" in err, err

        out = wait_until(lambda: (lambda r: r[1] if r[0] == 0 and "g1" in r[1] else None)(
            sluice("group", "list", brokers=b)), 20, what="g1 listed")
        assert any(r[0] == "g1" for r in table_rows(out, "GROUP")), out
        out = ok("group", "delete", "g1", brokers=b)
        assert "deleted group g1" in out, out
        out, err = fails(1, "group", "delete", "g1", brokers=b)
        assert "does not exist" in err, err

        # cluster znodes: the broker registrations, topics and the controller, readable.
        out = ok("cluster", "znodes", "--zookeeper", c.zk_connect)
        for path in ("/brokers/ids/1", "/brokers/ids/2", "/brokers/ids/3", "/controller",
                     "/brokers/topics/orders", "/config/topics/orders"):
            assert re.search(rf"^{re.escape(path)}(\s|$)", out, re.M), (path, out)
        assert re.search(r"^/brokers/ids/1\s+\(ephemeral\)", out, re.M), out
        assert "retention.ms" in out
        out = ok("cluster", "znodes", "--zookeeper", c.zk_connect, "--path", "/brokers/ids", "--stat")
        assert "/brokers/topics" not in out and "version" in out, out
        fails(1, "cluster", "znodes", "--zookeeper", c.zk + "/no-such-chroot")
        fails(3, "--timeout", "1500", "cluster", "znodes", "--zookeeper", "127.0.0.1:1")

        # topic delete.
        out = ok("topic", "delete", "orders", brokers=b)
        assert "deleted topic orders" in out, out
        wait_until(lambda: sluice("topic", "describe", "orders", brokers=b)[0] == 1, 20, what="orders gone")
        out, err = fails(1, "topic", "delete", "orders", brokers=b)
        assert "does not exist" in err, err
    print("cli_admin: ok")


if __name__ == "__main__":
    main()
