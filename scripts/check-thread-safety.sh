#!/usr/bin/env bash
# Compile-time check of the locking annotations (common/thread_annotations.h, common/mutex.h):
# compiles, with clang -fsyntax-only -Wthread-safety -Werror=thread-safety, every translation
# unit that includes them directly or through project headers, so touching a GUARDED_BY member
# without its mutex, or calling a REQUIRES function without the lock, fails. Run by the test
# suite (ctest: lint.thread_safety).
#
#   scripts/check-thread-safety.sh [BUILD_DIR]
#
# The compile flags (defines, include paths) come from BUILD_DIR/compile_commands.json (the
# ctest passes its own build dir); without one, a scratch build dir is configured (no build).
# Two compiles run at a time (SLUICE_CHECK_JOBS to change).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
clangxx=$(command -v clang++-14 || command -v clang++ || true)
if [[ -z "$clangxx" ]]; then
  echo "check-thread-safety: clang++ is not installed (scripts/setup.sh installs clang)" >&2
  exit 1
fi

build=${1:-}
scratch=""
cleanup() { if [[ -n "$scratch" ]]; then rm -rf "$scratch"; fi; }
trap cleanup EXIT
if [[ -z "$build" || ! -f "$build/compile_commands.json" ]]; then
  scratch=$(mktemp -d)
  build=$scratch
  if ! cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSLUICE_BUILD_BENCH=OFF \
    -DSLUICE_BUILD_TESTS=OFF >"$build/configure.log" 2>&1; then
    echo "check-thread-safety: cmake configure failed:" >&2
    tail -20 "$build/configure.log" >&2
    exit 1
  fi
fi

# One line per translation unit to check: "<file>\t<flags>", the flags being the compile
# command's -D/-I/-std options. A unit is checked when it or a project header it includes
# (followed transitively) includes one of the annotation headers; tests/ is left out.
units=$(python3 - "$build/compile_commands.json" "$root" <<'EOF'
import json, os, re, shlex, sys

db_path, root = sys.argv[1], sys.argv[2]
roots = {"common/thread_annotations.h", "common/mutex.h"}
include_re = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
includes = {}  # repo-relative path -> repo-relative paths it includes


def deps(rel):
    if rel not in includes:
        includes[rel] = []
        try:
            text = open(os.path.join(root, rel), encoding="utf-8", errors="replace").read()
        except OSError:
            return includes[rel]
        here = os.path.dirname(rel)
        for name in include_re.findall(text):
            for cand in (name, os.path.normpath(os.path.join(here, name))):
                if os.path.isfile(os.path.join(root, cand)):
                    includes[rel].append(cand)
                    break
    return includes[rel]


memo = {}


def uses_annotations(rel, visiting=()):
    if rel in roots:
        return True
    if rel in memo:
        return memo[rel]
    if rel in visiting:
        return False
    result = any(uses_annotations(d, visiting + (rel,)) for d in deps(rel))
    memo[rel] = result
    return result


seen = set()
for entry in json.load(open(db_path)):
    path = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
    rel = os.path.relpath(path, root)
    # Tests call only public functions, which take their locks themselves: not checked.
    if rel.startswith(("..", "tests/")) or rel in seen or not rel.endswith(".cpp"):
        continue
    seen.add(rel)
    if not uses_annotations(rel):
        continue
    args = entry.get("arguments") or shlex.split(entry["command"])
    flags = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-D", "-I", "-isystem"):
            flags += [a, args[i + 1]]
            i += 2
            continue
        if a.startswith(("-D", "-I", "-isystem", "-std=")):
            flags.append(a)
        i += 1
    print(rel + "\t" + shlex.join(flags))
EOF
)
if [[ -z "$units" ]]; then
  echo "check-thread-safety: no translation unit includes the annotation headers" >&2
  exit 1
fi
count=$(printf '%s\n' "$units" | wc -l)

# -Wthread-safety: the analysis; -Werror=thread-safety: its findings fail the check. No other
# warning is asked for (the GCC build has those). Boost 1.74 looks for coroutines under clang
# in <experimental/coroutine>, which libstdc++ lacks: BOOST_ASIO_HAS_CO_AWAIT tells it that
# C++20's are there.
check_one() {
  local file=${1%%$'\t'*} flags=${1#*$'\t'} out
  eval "set -- $flags"
  if ! out=$("$clangxx" -fsyntax-only -Wthread-safety -Werror=thread-safety \
    -Wno-unknown-warning-option -DBOOST_ASIO_HAS_CO_AWAIT=1 "$@" "$file" 2>&1); then
    printf '%s\n' "$out"
    return 1
  fi
  if [[ -n "$out" ]]; then printf '%s\n' "$out"; fi
}
export -f check_one
export clangxx
log=$(mktemp)
trap 'cleanup; rm -f "$log"' EXIT
start=$SECONDS
rc=0
printf '%s\n' "$units" | xargs -d '\n' -P "${SLUICE_CHECK_JOBS:-2}" -n 1 bash -c 'check_one "$0"' \
  >"$log" 2>&1 || rc=$?
if ((rc != 0)); then
  cat "$log" >&2
  echo "check-thread-safety: FAILED (clang -Wthread-safety over $count translation units)" >&2
  exit 1
fi
if grep -q 'warning:' "$log"; then
  grep -B2 -A4 'warning:' "$log" | head -40 >&2
fi
echo "check-thread-safety: $count translation units clean ($((SECONDS - start)) s)"
