#!/usr/bin/env python3
"""Checks the module table of docs/architecture.md against the code's #include lines.

Each row of the "Modules" table names a module (its folder) and, in "depends on", the Sluice
modules it may use; anything else in that column is an external library. The rule checked:

  * a module may include headers of the modules its row lists and, through them, of every
    module those rows allow in turn (the transitive closure of the table);
  * every module a row lists must be included directly by at least one file of the module
    (the table names no dependency the code no longer has);
  * the table has a row for every module and no cycle.

Headers are found as the compiler finds them: next to the including file, from the
repository root ("broker/storage/log.h"), or under a module's include/ folder
("sluice/result.h" is common/include/sluice/result.h). Includes of files outside the
repository (the standard library, Boost, ...) are not part of the graph.

Run by the test suite as lint.layering; `--graph` prints the include graph instead.
Standard library only.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join("docs", "architecture.md")
SOURCE_SUFFIXES = (".h", ".hpp", ".cpp", ".cc")
# What the "depends on" column may name besides modules. A new library goes here, so that a
# misspelt module name is reported instead of being taken for a library.
EXTERNAL = {
    "boost",
    "boost.asio",
    "boost.log",
    "boost.program_options",
    "zookeeper_mt",
    "nlohmann_json",
    "zlib",
    "zstd",
    "lz4",
    "snappy",
    "threads",
}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')


def read_table(path):
    """Returns ({module folder: [dependency names]}, [errors]) from the Modules table."""
    rows, errors = {}, []
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    try:
        start = lines.index("## Modules")
    except ValueError:
        return rows, [f"{DOC}: no '## Modules' section"]
    header = None
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if not line.startswith("|"):
            if header is not None and rows:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        row = dict(zip(header, cells))
        folder = row.get("folder", "").strip("`").rstrip("/")
        library = row.get("library", "")
        if not folder or library in ("", "—", "-"):
            continue  # not a module (tests/)
        deps = re.sub(r"\([^)]*\)", "", row.get("depends on", ""))
        rows[folder] = [d.strip().strip("`").rstrip("/") for d in deps.split(",") if d.strip()]
    if header is None or "depends on" not in header:
        errors.append(f"{DOC}: the Modules table has no 'depends on' column")
    return rows, errors


def module_of(path, modules):
    """The module a repository path belongs to: the longest module folder that holds it."""
    best = None
    for m in modules:
        if path.startswith(m + "/") and (best is None or len(m) > len(best)):
            best = m
    return best


def source_files(modules):
    """Every C++ file in a module folder (work tree, so new files count before they are added)."""
    out = []
    for m in modules:
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, m)):
            dirnames[:] = [d for d in dirnames if not d.startswith((".", "build"))]
            for name in filenames:
                if name.endswith(SOURCE_SUFFIXES):
                    out.append(os.path.relpath(os.path.join(dirpath, name), ROOT))
    return sorted(set(out))


def include_graph(modules):
    """{module: {included module: [example "file -> header" lines]}}"""
    files = source_files(modules)
    known = set(files)
    public = {}  # "sluice/result.h" -> "common/include/sluice/result.h"
    for f in files:
        marker = f.find("/include/")
        if marker >= 0:
            public.setdefault(f[marker + len("/include/") :], []).append(f)
    graph = {m: {} for m in modules}
    errors = []
    for f in files:
        here = module_of(f, modules)
        with open(os.path.join(ROOT, f), encoding="utf-8", errors="replace") as text:
            for number, line in enumerate(text, 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                name = match.group(1)
                beside = os.path.normpath(os.path.join(os.path.dirname(f), name))
                if beside in known:
                    target = beside
                elif name in known:
                    target = name
                elif len(public.get(name, [])) == 1:
                    target = public[name][0]
                elif name in public:
                    errors.append(f"{f}:{number}: '{name}' is ambiguous: {public[name]}")
                    continue
                else:
                    continue  # outside the repository
                there = module_of(target, modules)
                if there and there != here:
                    graph[here].setdefault(there, []).append(f"{f}:{number} includes {name}")
    return graph, errors


def resolve(name, modules):
    """A name in the "depends on" column: a module folder, or its last component."""
    if name in modules:
        return name
    short = [m for m in modules if m.split("/")[-1] == name]
    return short[0] if len(short) == 1 else None


def closure(module, declared):
    seen, stack = set(), list(declared.get(module, ()))
    while stack:
        m = stack.pop()
        if m not in seen:
            seen.add(m)
            stack.extend(declared.get(m, ()))
    return seen


def main():
    table, errors = read_table(os.path.join(ROOT, DOC))
    modules = [m for m in table if os.path.isdir(os.path.join(ROOT, m))]
    for m in table:
        if m not in modules:
            errors.append(f"{DOC}: the table lists '{m}/', which is not a folder")
    declared = {}
    for m in modules:
        declared[m] = []
        for name in table[m]:
            dep = resolve(name, modules)
            if dep is not None:
                declared[m].append(dep)
            elif name.lower() not in EXTERNAL:
                errors.append(
                    f"{DOC}: row {m}/ names '{name}', which is neither a module nor a library "
                    f"known to scripts/check-layering.py (EXTERNAL)"
                )
    graph, include_errors = include_graph(modules)
    errors += include_errors

    if "--graph" in sys.argv[1:]:
        for m in modules:
            print(f"{m}: {', '.join(sorted(graph[m])) or '-'}")
        return 0

    for m in modules:
        if m in closure(m, declared):
            errors.append(f"{DOC}: row {m}/ depends on itself through the table (a cycle)")
        allowed = closure(m, declared)
        for dep, where in sorted(graph[m].items()):
            if dep not in allowed:
                errors.append(
                    f"{m}/ includes {dep}/, which its row in {DOC} does not allow "
                    f"(e.g. {where[0]}; {len(where)} include(s) in all)"
                )
        for dep in declared[m]:
            if dep not in graph[m]:
                errors.append(
                    f"{DOC}: row {m}/ lists {dep}, but no file of {m}/ includes a {dep}/ header"
                )
    # A module folder with code but no row is a module the table forgot.
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel = os.path.relpath(dirpath, ROOT)
        dirnames[:] = [
            d for d in dirnames if not d.startswith((".", "build")) and d not in ("tests", "docs")
        ]
        if rel == "." or not any(n == "CMakeLists.txt" for n in filenames):
            continue
        if module_of(rel + "/x", modules) is None:
            errors.append(f"{DOC}: {rel}/ has a CMakeLists.txt but no row in the Modules table")

    if errors:
        for e in errors:
            print(f"check-layering: {e}", file=sys.stderr)
        print(f"check-layering: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    edges = sum(len(v) for v in graph.values())
    print(f"check-layering: {len(modules)} modules, {edges} module dependencies, all in {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
