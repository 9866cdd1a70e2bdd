#!/usr/bin/python3
"""Every command of the README's five-minute tour succeeds against a cluster started by
scripts/run-local.sh (issue 9), so the tour a new user copies stays true.

The tour is read from README.md: the fenced block after `<!-- tour:env -->` exports the
variables the commands use (SLUICE_BIN, SLUICE_BROKERS, SLUICE_ZK, SLUICE_LOCAL_DIR); every
block after `<!-- tour -->` holds commands, one per line. The test checks that the README's
variables match run-local.sh's defaults, then gives them its own values — free ports, a
temporary state directory, and the binaries ctest names (SLUICE_BROKER_BIN, SLUICE_CLI_BIN,
linked into a build directory of the test's own so that run-local.sh runs with --no-build) —
and runs each command with bash from the repository root. Each must exit 0. Beyond that:
every consume prints the values produced before it, after the tour kills a broker the next
`topic describe` shows it leading nothing, and after `run-local.sh stop` no process the
cluster ever had (ZooKeeper, every broker incarnation) is left. If anything fails, whatever is
still running is stopped by pid.

When the CLI has no `produce`/`consume` yet, the commands that need them (and the group
describes that need a consumed group) are not run, and the test fails saying so.
"""
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from harness import free_port

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
README = os.path.join(ROOT, "README.md")
RUN_LOCAL = os.path.join(ROOT, "scripts", "run-local.sh")
ENV_VARS = {"SLUICE_BIN", "SLUICE_BROKERS", "SLUICE_ZK", "SLUICE_LOCAL_DIR"}


# ---- reading the tour ----

def fenced_block_after(lines, i):
    """The lines of the fenced code block that starts after line i (blank lines allowed)."""
    j = i + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j >= len(lines) or not lines[j].startswith("```"):
        raise AssertionError(f"README.md:{i + 1}: a tour marker must be followed by a ``` block")
    body = []
    for k in range(j + 1, len(lines)):
        if lines[k].startswith("```"):
            return body
        body.append(lines[k])
    raise AssertionError(f"README.md:{j + 1}: unterminated code block")


def commands_of(block):
    """Shell commands, one per line; a trailing backslash continues a line; # lines are prose."""
    out, pending = [], ""
    for line in block:
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        out.append((pending + line).strip())
        pending = ""
    assert not pending, f"a command ends in a continuation: {pending}"
    return out


def read_tour():
    lines = open(README, encoding="utf-8").read().splitlines()
    env, commands = None, []
    for i, line in enumerate(lines):
        marker = line.strip()
        if marker == "<!-- tour:env -->":
            assert env is None, "README.md has two <!-- tour:env --> blocks"
            env = {}
            for cmd in commands_of(fenced_block_after(lines, i)):
                m = re.match(r"export (\w+)=(\S+)(\s+#.*)?$", cmd)
                assert m, f"the tour's variable block may only export NAME=value: {cmd!r}"
                env[m.group(1)] = m.group(2)
        elif marker == "<!-- tour -->":
            commands += commands_of(fenced_block_after(lines, i))
    assert env is not None, "README.md has no <!-- tour:env --> block"
    assert set(env) == ENV_VARS, f"the tour exports {sorted(env)}, the test sets {sorted(ENV_VARS)}"
    assert len(commands) >= 10, f"the tour has only {len(commands)} commands"
    return env, commands


def check_defaults(readme_env):
    """The README's values are what run-local.sh uses when nothing is overridden."""
    script = open(RUN_LOCAL, encoding="utf-8").read()

    def default(var):
        m = re.search(r"\$\{" + var + r":-([^}]+)\}", script)
        assert m, f"run-local.sh has no default for {var}"
        return m.group(1).replace("$root", "$PWD")

    zk_port, base = default("SLUICE_ZK_PORT"), int(default("SLUICE_BROKER_BASE_PORT"))
    assert readme_env["SLUICE_ZK"] == f"127.0.0.1:{zk_port}", readme_env
    assert readme_env["SLUICE_BROKERS"] == ",".join(f"127.0.0.1:{base + i}" for i in range(3)), readme_env
    assert readme_env["SLUICE_LOCAL_DIR"] == default("SLUICE_LOCAL_DIR"), readme_env
    assert readme_env["SLUICE_BIN"] == default("SLUICE_BUILD_DIR") + "/tools/sluice", readme_env


# ---- the cluster's processes ----

def free_ports(count):
    """A base port with `count` consecutive free loopback ports."""
    return free_port(count)


def start_time(pid):
    """The process's start time (to tell it from a later process reusing the pid), or None when
    it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]


def pidfiles(state):
    out = []
    for dirpath, _dirs, files in os.walk(state):
        out += [os.path.join(dirpath, f) for f in files if f.endswith(".pid")]
    return out


def record_pids(state, seen):
    for path in pidfiles(state):
        try:
            pid = int(open(path).read().strip())
        except (OSError, ValueError):
            continue
        st = start_time(pid)
        if st is not None:
            seen[(pid, st)] = os.path.relpath(path, state)


def still_running(seen):
    return {key: what for key, what in seen.items() if start_time(key[0]) == key[1]}


def kill_leftovers(seen):
    for (pid, _st), _what in still_running(seen).items():
        os.kill(pid, signal.SIGTERM)
    deadline = time.time() + 25
    while still_running(seen) and time.time() < deadline:
        time.sleep(0.2)
    for (pid, _st), _what in still_running(seen).items():
        os.kill(pid, signal.SIGKILL)


def log_tails(state):
    for dirpath, _dirs, files in os.walk(state):
        for f in files:
            if f in ("broker.log", "zookeeper.log"):
                path = os.path.join(dirpath, f)
                print(f"--- last lines of {path} ---")
                print("".join(open(path, errors="replace").readlines()[-25:]))


# ---- checks on what commands print ----

def produced_values(cmd):
    """The values a `printf '...' | $SLUICE_BIN produce ... --key-separator :` line sends."""
    m = re.match(r"printf (\S.*?) \| ", cmd)
    assert m, f"a produce line should read a printf: {cmd}"
    text = shlex.split(m.group(1))[0].encode().decode("unicode_escape")
    sep = None
    m_sep = re.search(r"(?:--key-separator|-k)\s+(\S+)", cmd)
    if m_sep:
        sep = shlex.split(m_sep.group(1))[0]
    values = []
    for line in text.splitlines():
        values.append(line.split(sep, 1)[1] if sep and sep in line else line)
    return values


def leaders(describe_output):
    """PARTITION -> LEADER cell of `sluice topic describe`."""
    out, inside = {}, False
    for line in describe_output.splitlines():
        if line.startswith("PARTITION "):
            inside = True
            continue
        if inside:
            if not line.strip():
                break
            cells = line.split()
            out[int(cells[0])] = cells[1]
    return out


def main():
    readme_env, commands = read_tour()
    check_defaults(readme_env)

    work = tempfile.mkdtemp(prefix="sluice-tour-")
    # run-local.sh finds broker/sluice-broker and tools/sluice in its build directory.
    bin_dir = os.path.join(work, "build")
    for sub, name, source in (("broker", "sluice-broker", os.environ["SLUICE_BROKER_BIN"]),
                              ("tools", "sluice", os.environ["SLUICE_CLI_BIN"])):
        os.makedirs(os.path.join(bin_dir, sub))
        os.symlink(os.path.abspath(source), os.path.join(bin_dir, sub, name))
    cli = os.path.join(bin_dir, "tools", "sluice")
    state = os.path.join(work, "cluster")
    zk_port = free_ports(1)
    base = free_ports(3)
    values = {
        "SLUICE_BIN": cli,
        "SLUICE_BROKERS": ",".join(f"127.0.0.1:{base + i}" for i in range(3)),
        "SLUICE_ZK": f"127.0.0.1:{zk_port}",
        "SLUICE_LOCAL_DIR": state,
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLUICE_")}
    env.update(values)
    env.update({
        "SLUICE_ZK_PORT": str(zk_port),
        "SLUICE_BROKER_BASE_PORT": str(base),
        "SLUICE_BROKER_COUNT": "3",
        "SLUICE_BUILD_DIR": bin_dir,
        "SLUICE_NO_BUILD": "1",
        "SLUICE_HEALTH_TIMEOUT": "120",  # sanitizer builds start slowly on 2 cores
    })
    print(f"tour: {len(commands)} commands; ZooKeeper 127.0.0.1:{zk_port}, brokers {values['SLUICE_BROKERS']}, "
          f"state {state}")

    # The CLI's produce/consume are newer than the rest; say plainly when they are missing.
    missing = []
    for sub in ("produce", "consume"):
        # CLI11 answers `sluice UNKNOWN --help` with the top-level help and exit 0: look for the
        # subcommand's own usage line.
        p = subprocess.run([cli, sub, "--help"], capture_output=True, text=True, timeout=30)
        if p.returncode != 0 or f"Usage: sluice {sub}" not in p.stdout:
            missing.append(sub)
            print(f"`sluice {sub} --help` (exit {p.returncode}) shows no `sluice {sub}` command")

    def needs_missing(cmd):
        words = cmd.split()
        return any(m in words for m in missing) or (missing and "group" in words and "describe" in words)

    seen = {}  # (pid, start time) -> pid file: every process the cluster ever had
    not_run = []
    produced = []
    killed_broker = None
    stopped = False
    ok = False
    try:
        for cmd in commands:
            if needs_missing(cmd):
                not_run.append(cmd)
                print(f"\n$ {cmd}\n(not run: needs `sluice {'/'.join(missing)}`)")
                continue
            print(f"\n$ {cmd}", flush=True)
            started = time.time()
            p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=ROOT, env=env, capture_output=True,
                               text=True, timeout=240)
            print(p.stdout + p.stderr, end="")
            print(f"(exit {p.returncode}, {time.time() - started:.1f} s)")
            record_pids(state, seen)
            assert p.returncode == 0, f"tour command failed (exit {p.returncode}): {cmd}"
            words = cmd.split()
            if "produce" in words:
                produced += produced_values(cmd)
            elif "consume" in words:
                m = re.search(r"-n\s+(\d+)", cmd)
                wanted = produced[:int(m.group(1))] if m else produced
                for v in wanted:
                    assert v in p.stdout, f"consume did not print {v!r}:\n{p.stdout}"
            elif words[0] == "kill":
                m = re.search(r"broker-(\d+)/broker\.pid", cmd)
                assert m, f"the tour kills a broker through its pid file: {cmd}"
                killed_broker = m.group(1)
            elif killed_broker and words[1:3] == ["topic", "describe"]:
                lead = leaders(p.stdout)
                assert lead and killed_broker not in lead.values(), \
                    f"broker {killed_broker} was stopped but still leads: {lead}"
                killed_broker = None  # only the describe right after the kill
            elif "zkCli.sh" in cmd and " get " in cmd:
                assert '"leader"' in p.stdout and '"isr"' in p.stdout, "zkCli printed no partition state"
            elif cmd.startswith("scripts/run-local.sh stop"):
                stopped = True
        assert stopped, "the tour does not end with scripts/run-local.sh stop"
        assert seen, "no process was recorded from the cluster's pid files"
        left = still_running(seen)
        assert not left, f"processes left running after run-local.sh stop: {left}"
        assert not pidfiles(state), f"pid files left: {pidfiles(state)}"
        print(f"\nall {len(seen)} cluster processes (ZooKeeper and every broker start) are gone")
        ok = True
    finally:
        if not ok:
            log_tails(state)
        if still_running(seen) or pidfiles(state):
            subprocess.run([RUN_LOCAL, "stop"], env=env, timeout=120, check=False)
            record_pids(state, seen)
            kill_leftovers(seen)
        if ok and not os.environ.get("SLUICE_KEEP_TEST_DIRS"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")

    if missing:
        print(f"\nFAIL: the CLI {cli} has no `sluice {' / '.join(missing)}` yet, so these tour commands were "
              f"not run:\n  " + "\n  ".join(not_run))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
