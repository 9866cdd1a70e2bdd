# Finds every third-party dependency. Each one comes from a Debian package; when one is
# missing the error names the package so `scripts/setup.sh` (or apt-get) can fix it.

function(sluice_missing what package)
  message(FATAL_ERROR "Sluice needs ${what}: install the Debian package '${package}' "
                      "(or run scripts/setup.sh, which installs everything).")
endfunction()

find_package(Threads REQUIRED)

find_package(Boost 1.74 QUIET COMPONENTS log log_setup program_options)
if(NOT Boost_FOUND)
  sluice_missing("Boost (Asio, Log, program_options)" "libboost-log-dev libboost-program-options-dev")
endif()

find_path(ZOOKEEPER_INCLUDE_DIR zookeeper/zookeeper.h)
find_library(ZOOKEEPER_MT_LIBRARY zookeeper_mt)
if(NOT ZOOKEEPER_INCLUDE_DIR OR NOT ZOOKEEPER_MT_LIBRARY)
  sluice_missing("the ZooKeeper C client (zookeeper_mt)" "libzookeeper-mt-dev")
endif()
add_library(sluice_zookeeper_mt INTERFACE)
target_include_directories(sluice_zookeeper_mt SYSTEM INTERFACE ${ZOOKEEPER_INCLUDE_DIR})
target_link_libraries(sluice_zookeeper_mt INTERFACE ${ZOOKEEPER_MT_LIBRARY} Threads::Threads)
target_compile_definitions(sluice_zookeeper_mt INTERFACE THREADED)

find_package(nlohmann_json 3.10 QUIET)
if(NOT nlohmann_json_FOUND)
  sluice_missing("nlohmann/json" "nlohmann-json3-dev")
endif()

find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
  sluice_missing("zlib" "zlib1g-dev")
endif()

find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  sluice_missing("pkg-config" "pkg-config")
endif()
pkg_check_modules(ZSTD QUIET IMPORTED_TARGET libzstd)
if(NOT ZSTD_FOUND)
  sluice_missing("zstd" "libzstd-dev")
endif()
pkg_check_modules(LZ4 QUIET IMPORTED_TARGET liblz4)
if(NOT LZ4_FOUND)
  sluice_missing("lz4" "liblz4-dev")
endif()
pkg_check_modules(SNAPPY QUIET IMPORTED_TARGET snappy)
if(NOT SNAPPY_FOUND)
  sluice_missing("snappy" "libsnappy-dev")
endif()

# CLI11 (header-only) for the `sluice` command-line tool in tools/.
find_package(CLI11 CONFIG QUIET)
if(NOT CLI11_FOUND)
  find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp)
  if(NOT CLI11_INCLUDE_DIR)
    sluice_missing("CLI11" "libcli11-dev")
  endif()
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 INTERFACE ${CLI11_INCLUDE_DIR})
endif()

find_package(OpenSSL QUIET)
if(NOT OpenSSL_FOUND)
  sluice_missing("OpenSSL" "libssl-dev")
endif()

if(SLUICE_BUILD_TESTS)
  find_package(GTest QUIET)
  if(NOT GTest_FOUND)
    sluice_missing("GoogleTest" "libgtest-dev libgmock-dev")
  endif()
  include(GoogleTest)
endif()
if(SLUICE_BUILD_BENCH)
  find_package(benchmark QUIET)
  if(NOT benchmark_FOUND)
    sluice_missing("Google Benchmark" "libbenchmark-dev")
  endif()
endif()

# librdkafka (Debian's librdkafka-dev) drives the reference client benchmark
# tests/bench/rdkafka_bench.cpp. Optional: without it that one program is skipped, and
# nothing else depends on it.
if(SLUICE_BUILD_BENCH)
  pkg_check_modules(RDKAFKA QUIET IMPORTED_TARGET rdkafka)
  if(NOT RDKAFKA_FOUND)
    message(STATUS "librdkafka not found (Debian package 'librdkafka-dev'): "
                   "tests/bench/rdkafka_bench is not built")
  endif()
endif()
