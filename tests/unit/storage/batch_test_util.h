// Builds (RecordBatchBuilder) and decodes (BatchIterator, decode_records) RecordBatch v2
// bytes for the storage tests, with plain strings for keys and values.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "protocol/compression.h"
#include "protocol/record_batch.h"
#include "protocol/wire.h"

namespace sluice::broker::storage::testing {

struct TestRecord {
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp = 0;
  int32_t offset_delta = -1;  // -1: the record's index in the batch
  friend bool operator==(const TestRecord&, const TestRecord&) = default;
};

struct BatchOptions {
  protocol::Compression codec = protocol::Compression::none;
  int64_t base_offset = 0;
  int32_t leader_epoch = -1;
  int64_t producer_id = -1;
};

inline protocol::Bytes make_batch(const std::vector<TestRecord>& records,
                                  const BatchOptions& options = {}) {
  protocol::RecordBatchBuilder builder(options.codec, options.base_offset);
  builder.partition_leader_epoch(options.leader_epoch);
  if (options.producer_id >= 0) builder.producer(options.producer_id, 0, 0);
  auto bytes = [](const std::optional<std::string>& s) -> std::optional<protocol::Bytes> {
    if (!s) return std::nullopt;
    return protocol::Bytes(s->begin(), s->end());
  };
  for (const auto& r : records) {
    std::optional<int32_t> delta;
    if (r.offset_delta >= 0) delta = r.offset_delta;
    builder.add(bytes(r.key), bytes(r.value), r.timestamp, {}, delta);
  }
  auto built = builder.build();
  EXPECT_TRUE(built.ok());
  return built.ok() ? std::move(built).value() : protocol::Bytes{};
}

// A batch of `count` records "k<i>" = "v<i>" with timestamps ts, ts+1, ...
inline protocol::Bytes simple_batch(int count, int64_t timestamp = 1000, std::size_t value_size = 0,
                                    const BatchOptions& options = {}) {
  std::vector<TestRecord> records;
  for (int i = 0; i < count; ++i) {
    std::string value = "v" + std::to_string(i);
    if (value.size() < value_size) value.resize(value_size, 'x');
    records.push_back({"k" + std::to_string(i), value, timestamp + i});
  }
  return make_batch(records, options);
}

struct StoredRecord {
  int64_t offset;
  int64_t timestamp;
  std::optional<std::string> key;
  std::optional<std::string> value;
  friend bool operator==(const StoredRecord&, const StoredRecord&) = default;
};

inline void PrintTo(const StoredRecord& r, std::ostream* os) {
  *os << "{offset " << r.offset << ", ts " << r.timestamp << ", key "
      << (r.key ? *r.key : std::string("null")) << ", value "
      << (r.value ? *r.value : std::string("null")) << "}";
}

struct StoredBatch {
  int64_t base_offset;
  int64_t last_offset;
  int32_t leader_epoch;
  int64_t max_timestamp;
  int16_t attributes;
  std::vector<StoredRecord> records;
};

// Decodes a run of whole batches (as stored in a segment or returned by a read).
inline std::vector<StoredBatch> decode_batches(std::span<const uint8_t> bytes) {
  std::vector<StoredBatch> out;
  protocol::BatchIterator batches(bytes);
  while (auto batch = batches.next()) {
    auto header = protocol::parse_batch_header(*batch);
    EXPECT_TRUE(header.ok());
    EXPECT_TRUE(protocol::validate_batch(*batch, {.require_sequential_offsets = false}).ok());
    auto records = protocol::decode_records(*batch);
    EXPECT_TRUE(records.ok());
    if (!header.ok() || !records.ok()) break;
    StoredBatch b{header->base_offset,   header->last_offset(), header->partition_leader_epoch,
                  header->max_timestamp, header->attributes,    {}};
    auto text = [](const std::optional<protocol::Bytes>& v) -> std::optional<std::string> {
      if (!v) return std::nullopt;
      return std::string(v->begin(), v->end());
    };
    for (const auto& r : *records)
      b.records.push_back({r.offset, r.timestamp, text(r.key), text(r.value)});
    out.push_back(std::move(b));
  }
  EXPECT_FALSE(batches.truncated_tail()) << "torn batch";
  EXPECT_FALSE(batches.error().has_value());
  return out;
}

}  // namespace sluice::broker::storage::testing
