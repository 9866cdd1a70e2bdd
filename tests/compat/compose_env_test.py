#!/usr/bin/python3
"""docker-compose.yml stays valid and its brokers accept exactly the environment it sets.

Usage: compose_env_test.py SLUICE_BROKER_BINARY COMPOSE_FILE

For every service built from the Sluice image, runs `sluice-broker --check-config` with that
service's environment and nothing else (env -i), and expects success; then adds one unknown
SLUICE_ variable and expects a refusal naming it, which proves the check is not vacuous.
"""
import os
import subprocess
import sys

import yaml


def main() -> int:
    broker, compose = sys.argv[1], sys.argv[2]
    # Validity as docker-compose itself sees it (Debian's docker-compose).
    subprocess.run(["docker-compose", "-f", compose, "config", "-q"], check=True)
    rendered = subprocess.run(["docker-compose", "-f", compose, "config"], check=True,
                              capture_output=True, text=True).stdout
    services = yaml.safe_load(rendered)["services"]
    brokers = {name: svc for name, svc in services.items()
               if str(svc.get("image", "")).startswith("sluice-broker")}
    if len(brokers) != 3:
        print(f"expected 3 sluice brokers in {compose}, found {sorted(brokers)}")
        return 1
    ids = set()
    for name, svc in sorted(brokers.items()):
        env = {k: str(v) for k, v in (svc.get("environment") or {}).items()}
        clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
        run = subprocess.run([broker, "--check-config"], env=clean, capture_output=True, text=True)
        if run.returncode != 0 or "configuration ok" not in run.stdout:
            print(f"{name}: sluice-broker refused the compose environment:\n{run.stderr}")
            return 1
        values = dict(line.split("=", 1) for line in run.stdout.splitlines() if "=" in line)
        ids.add(values["broker.id"])
        if values["zookeeper.connect"] != env["SLUICE_ZOOKEEPER_CONNECT"]:
            print(f"{name}: zookeeper.connect not taken from the environment")
            return 1
        bad = dict(clean, SLUICE_NO_SUCH_KEY="1")
        refused = subprocess.run([broker, "--check-config"], env=bad, capture_output=True, text=True)
        if refused.returncode == 0 or "SLUICE_NO_SUCH_KEY" not in refused.stderr:
            print(f"{name}: an unknown SLUICE_ variable was not refused:\n{refused.stderr}")
            return 1
        print(f"{name}: ok (broker.id={values['broker.id']})")
    if len(ids) != 3:
        print(f"broker ids are not distinct: {ids}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
