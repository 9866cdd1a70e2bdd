#!/usr/bin/python3
"""KafkaJS 2.2.4 (from npm, installed into the build tree) creates a topic and produces to a
real broker; what it wrote is read back with kcat."""
import json
import os
import subprocess
import sys

from harness import Cluster

HERE = os.path.dirname(os.path.abspath(__file__))


def install(prefix):
    os.makedirs(prefix, exist_ok=True)
    for name in ("package.json", "admin_produce.js"):
        with open(os.path.join(HERE, "kafkajs", name)) as src, open(os.path.join(prefix, name), "w") as dst:
            dst.write(src.read())
    if not os.path.isdir(os.path.join(prefix, "node_modules", "kafkajs")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=prefix, check=True,
                       timeout=600)


def main():
    prefix = os.environ.get("SLUICE_KAFKAJS_DIR", os.path.join(os.getcwd(), "kafkajs"))
    install(prefix)
    with Cluster(brokers=1) as c:
        out = subprocess.run(["node", os.path.join(prefix, "admin_produce.js")], capture_output=True, text=True,
                             timeout=120, env=dict(os.environ, BOOTSTRAP=c.bootstrap), cwd=prefix)
        assert out.returncode == 0, out.stderr
        result = json.loads(out.stdout.strip().splitlines()[-1])
        assert result["created"] is True and result["again"] is False, result
        assert "kjs" in result["topics"], result
        total = sum(int(o["high"]) for o in result["offsets"])
        assert total == 1001, result
        back = subprocess.run(["kcat", "-b", c.bootstrap, "-C", "-t", "kjs", "-o", "beginning", "-e", "-q",
                               "-f", "%k=%s %h\n"], capture_output=True, text=True, timeout=60)
        lines = back.stdout.splitlines()
        assert len(lines) == 1001, len(lines)
        assert "z=gzipped " in lines or any(l.startswith("z=gzipped") for l in lines), lines[-3:]
        assert sum(1 for l in lines if l.endswith("h=x")) == 1000
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
