// Partition-log throughput: appends of 1 MiB and 16 KiB batches (page cache, default flush
// policy: no fsync but on roll), and reads of 1 MiB fetches sent with sendfile(2) into a
// socketpair that a thread drains, the way the server sends fetch responses.
//
//   storage_bench [--benchmark_filter=...]   (works in $TMPDIR, default /tmp)
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "broker/storage/partition_log.h"
#include "protocol/record_batch.h"
#include "protocol/wire.h"

namespace {

using sluice::broker::storage::LogConfig;
using sluice::broker::storage::PartitionLog;
using sluice::protocol::Bytes;

// One uncompressed RecordBatch v2 of about `bytes` bytes: records of 1000 incompressible
// bytes without keys.
Bytes make_batch(std::size_t bytes) {
  constexpr std::size_t kValue = 1000;
  sluice::protocol::RecordBatchBuilder builder;
  uint64_t seed = 0x9e3779b97f4a7c15ULL;
  for (std::size_t size = 61; size + kValue + 16 <= bytes; size += kValue + 16) {
    Bytes value(kValue);
    for (auto& b : value) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      b = static_cast<uint8_t>(seed >> 56);
    }
    builder.add(std::nullopt, std::move(value), 1'700'000'000'000);
  }
  auto built = builder.build();
  if (!built.ok()) std::abort();
  return std::move(built).value();
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sluice-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) std::abort();
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void BM_Append(benchmark::State& state) {
  Bytes batch = make_batch(static_cast<std::size_t>(state.range(0)));
  TempDir dir;
  LogConfig config;  // 1 GiB segments, 4 KiB index interval: the broker defaults
  auto log = *PartitionLog::open(dir.path() / "bench-0", {"bench", 0}, config, {},
                                 {.had_clean_shutdown = true});
  for (auto _ : state) {
    auto info = log->append(batch, 0);
    if (!info.ok()) {
      state.SkipWithError(info.error().to_string().c_str());
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(batch.size()));
  state.counters["segments"] = log->segment_count();
}
// 1 GiB per run: 1024 x 1 MiB, 65536 x 16 KiB.
BENCHMARK(BM_Append)->Arg(1 << 20)->Iterations(1024)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Append)->Arg(16 << 10)->Iterations(65536)->UseRealTime()->Unit(
    benchmark::kMicrosecond);

void BM_ReadSendfile(benchmark::State& state) {
  const auto batch_size = static_cast<std::size_t>(state.range(0));
  constexpr int64_t kLogBytes = 256 << 20;
  constexpr int64_t kFetchBytes = 1 << 20;
  Bytes batch = make_batch(batch_size);
  TempDir dir;
  auto log = *PartitionLog::open(dir.path() / "bench-0", {"bench", 0}, LogConfig{}, {},
                                 {.had_clean_shutdown = true});
  for (int64_t written = 0; written < kLogBytes; written += static_cast<int64_t>(batch.size())) {
    if (!log->append(batch, 0).ok()) std::abort();
  }
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) std::abort();
  std::atomic<bool> stop{false};
  std::thread drain([&] {
    std::vector<char> sink(1 << 20);
    while (::read(fds[1], sink.data(), sink.size()) > 0) {
    }
  });
  int64_t offset = 0;
  int64_t sent_total = 0;
  for (auto _ : state) {
    auto read = log->read(offset, {.max_bytes = kFetchBytes});
    if (!read.ok()) {
      state.SkipWithError(read.error().to_string().c_str());
      break;
    }
    if (read->region.length == 0) {  // wrapped around the log
      offset = 0;
      continue;
    }
    off_t position = read->region.position;
    int64_t left = read->region.length;
    while (left > 0) {
      ssize_t n = ::sendfile(fds[0], read->region.fd, &position, static_cast<std::size_t>(left));
      if (n <= 0) std::abort();
      left -= n;
    }
    sent_total += read->region.length;
    offset = read->next_offset;
  }
  ::shutdown(fds[0], SHUT_WR);
  drain.join();
  ::close(fds[0]);
  ::close(fds[1]);
  state.SetBytesProcessed(sent_total);
}
BENCHMARK(BM_ReadSendfile)->Arg(1 << 20)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ReadSendfile)->Arg(16 << 10)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
