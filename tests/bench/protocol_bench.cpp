// Protocol benchmarks (Google Benchmark): CRC-32C hardware vs software, RecordBatch
// validation and record decoding. Figures are reported, never asserted (docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include "protocol/crc32c.h"
#include "protocol/record_batch.h"

namespace {

using namespace sluice::protocol;

Bytes filler(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 131 + 7);
  return b;
}

void BM_Crc32cHardware(benchmark::State& state) {
  Bytes data = filler(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(crc32c(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32cHardware)->Arg(4096)->Arg(1 << 20);

void BM_Crc32cSoftware(benchmark::State& state) {
  Bytes data = filler(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(crc32c_software(data));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32cSoftware)->Arg(4096)->Arg(1 << 20);

// A 1 MiB uncompressed batch of 1 KiB records, as a producer would send.
Bytes one_mib_batch(Compression c = Compression::none) {
  RecordBatchBuilder b(c);
  Bytes value = filler(1024);
  for (int i = 0; i < 1000; ++i)
    b.add(Bytes{'k', static_cast<uint8_t>(i)}, value, 1700000000000 + i);
  return *b.build();
}

void BM_ValidateBatch(benchmark::State& state) {
  Bytes batch = one_mib_batch();
  for (auto _ : state) benchmark::DoNotOptimize(validate_batch(batch).ok());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(batch.size()));
}
BENCHMARK(BM_ValidateBatch);

void BM_ValidateBatchCrcOnly(benchmark::State& state) {
  Bytes batch = one_mib_batch();
  ValidateOptions o;
  o.check_records = false;
  for (auto _ : state) benchmark::DoNotOptimize(validate_batch(batch, o).ok());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(batch.size()));
}
BENCHMARK(BM_ValidateBatchCrcOnly);

void BM_DecodeRecords(benchmark::State& state) {
  Bytes batch = one_mib_batch(static_cast<Compression>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(decode_records(batch));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 1000);
}
BENCHMARK(BM_DecodeRecords)->Arg(0)->Arg(3)->Arg(4);  // none, lz4, zstd

}  // namespace

BENCHMARK_MAIN();
