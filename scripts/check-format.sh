#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what clang-format makes of it (.clang-format at
# the root). Run by the test suite (ctest: lint.format); fix with `scripts/check-format.sh --fix`.
# Formatting is version-sensitive: the suite pins Debian 12's clang-format 14.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fmt=$(command -v clang-format-14 || command -v clang-format || true)
if [[ -z "$fmt" ]]; then
  echo "check-format: clang-format is not installed (scripts/setup.sh installs it)" >&2
  exit 1
fi
version=$("$fmt" --version)
if [[ "$version" != *" 14."* ]]; then
  echo "check-format: warning: $version is not the pinned clang-format 14; results may differ" >&2
fi
mapfile -t files < <(git ls-files -- '*.cpp' '*.h' '*.cc' '*.hpp')
if [[ "${1:-}" == "--fix" ]]; then
  "$fmt" -i "${files[@]}"
  exit 0
fi
# One clang-format process for the whole tree; each differing file is named in its messages.
rc=0
out=$("$fmt" --dry-run --Werror "${files[@]}" 2>&1) || rc=$?
mapfile -t bad < <(printf '%s\n' "$out" |
  sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' | sort -u)
if ((rc != 0 && ${#bad[@]} == 0)); then
  echo "check-format: clang-format failed (exit $rc):" >&2
  printf '%s\n' "$out" | head -20 >&2
  exit 1
fi
if ((${#bad[@]})); then
  echo "check-format: ${#bad[@]} file(s) differ from clang-format; run scripts/check-format.sh --fix:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
