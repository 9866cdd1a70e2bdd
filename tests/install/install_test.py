#!/usr/bin/env python3
"""libsluice installed and used from outside Sluice's tree (docs/client.md, "Installing and
using libsluice").

1. `cmake --install` of this build (component libsluice) into a prefix under /tmp;
2. every installed header compiles on its own with only that prefix on the include path, so
   none includes a header that was not installed (e.g. "common/..." or "protocol/...");
3. client/examples, copied out of the tree, configure as a project of their own with
   find_package(Sluice) through CMAKE_PREFIX_PATH and build against the installed library.
"""
import argparse
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile


def run(cmd, **kwargs):
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True, type=pathlib.Path)
    parser.add_argument("--examples", required=True, type=pathlib.Path)
    parser.add_argument("--cmake", default="cmake")
    parser.add_argument("--generator", default="Ninja")
    parser.add_argument("--cxx", required=True)
    parser.add_argument("--launcher", default="")
    parser.add_argument("--build-type", default="Debug")
    parser.add_argument("--config-flags", default="", help="CMAKE_CXX_FLAGS_<build type>")
    args = parser.parse_args()

    build_dir = args.build_dir.resolve()
    # A fixed directory per build tree (not a random one): repeated runs reuse the compiler
    # cache, and two build trees never share one.
    tag = hashlib.sha1(str(build_dir).encode()).hexdigest()[:12]
    work = pathlib.Path(tempfile.gettempdir()) / f"sluice-install-test-{tag}"
    shutil.rmtree(work, ignore_errors=True)
    prefix, examples, example_build = work / "prefix", work / "examples", work / "build"
    work.mkdir(parents=True)

    run([args.cmake, "--install", build_dir, "--prefix", prefix, "--component", "libsluice"])
    headers = sorted((prefix / "include" / "sluice").glob("*.h"))
    if not headers:
        sys.exit(f"no headers installed under {prefix}/include/sluice")
    for lib in ["lib/libsluice.a", "lib/cmake/Sluice/SluiceConfig.cmake",
                "lib/cmake/Sluice/SluiceConfigVersion.cmake"]:
        if not (prefix / lib).exists():
            sys.exit(f"{lib} was not installed")

    launcher = [args.launcher] if args.launcher else []
    config_flags = args.config_flags.split()
    for header in headers:
        source = work / f"self_contained_{header.stem}.cpp"
        source.write_text(f"#include <sluice/{header.name}>\n")
        run(launcher + [args.cxx, "-std=c++20", *config_flags, "-fsyntax-only",
                        "-I", prefix / "include", source], cwd=work)

    shutil.copytree(args.examples, examples,
                    ignore=lambda _dir, names: [n for n in names if n != "CMakeLists.txt"
                                                and not n.endswith(".cpp")])
    configure = [args.cmake, "-S", examples, "-B", example_build, "-G", args.generator,
                 f"-DCMAKE_PREFIX_PATH={prefix}", f"-DCMAKE_CXX_COMPILER={args.cxx}",
                 f"-DCMAKE_BUILD_TYPE={args.build_type}",
                 f"-DCMAKE_CXX_FLAGS_{args.build_type.upper()}={args.config_flags}"]
    if args.launcher:
        configure.append(f"-DCMAKE_CXX_COMPILER_LAUNCHER={args.launcher}")
    run(configure)
    cache = (example_build / "CMakeCache.txt").read_text()
    expected = f"Sluice_DIR:PATH={prefix}/lib/cmake/Sluice"
    if expected not in cache:
        sys.exit(f"find_package(Sluice) did not use the installed package ({expected})")
    run([args.cmake, "--build", example_build, "--parallel", "2"])  # a 2-core machine
    for example in ["produce", "consume_group", "admin", "async_service"]:
        if not os.access(example_build / f"sluice-example-{example}", os.X_OK):
            sys.exit(f"sluice-example-{example} was not built")

    shutil.rmtree(work)
    print("libsluice installs, and the examples build against the installed package")


if __name__ == "__main__":
    main()
