// Builds and decodes RecordBatch v2 bytes for the storage tests.
// INTERIM: hand-rolled until protocol/record_batch.h (RecordBatchBuilder, decode_records)
// lands; then these helpers become thin wrappers over it.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "protocol/compression.h"
#include "protocol/crc32c.h"
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
  int64_t base_ts = records.empty() ? 0 : records.front().timestamp;
  int64_t max_ts = -1;
  int32_t last_delta = 0;
  protocol::ByteWriter body;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    int32_t delta = r.offset_delta >= 0 ? r.offset_delta : static_cast<int32_t>(i);
    last_delta = std::max(last_delta, delta);
    max_ts = std::max(max_ts, r.timestamp);
    protocol::ByteWriter rec;
    rec.write_i8(0);
    rec.write_varlong(r.timestamp - base_ts);
    rec.write_varint(delta);
    if (r.key) {
      rec.write_varint(static_cast<int32_t>(r.key->size()));
      rec.write_raw(*r.key);
    } else {
      rec.write_varint(-1);
    }
    if (r.value) {
      rec.write_varint(static_cast<int32_t>(r.value->size()));
      rec.write_raw(*r.value);
    } else {
      rec.write_varint(-1);
    }
    rec.write_varint(0);
    body.write_varint(static_cast<int32_t>(rec.size()));
    body.write_raw(rec.bytes());
  }
  protocol::Bytes records_bytes = body.bytes();
  if (options.codec != protocol::Compression::none) {
    records_bytes = *protocol::compress(options.codec, records_bytes);
  }
  protocol::ByteWriter w;
  w.write_i64(options.base_offset);
  w.write_i32(static_cast<int32_t>(49 + records_bytes.size()));
  w.write_i32(options.leader_epoch);
  w.write_i8(2);
  w.write_u32(0);  // crc, patched below
  w.write_i16(static_cast<int16_t>(options.codec));
  w.write_i32(last_delta);
  w.write_i64(base_ts);
  w.write_i64(max_ts);
  w.write_i64(options.producer_id);
  w.write_i16(-1);
  w.write_i32(-1);
  w.write_i32(static_cast<int32_t>(records.size()));
  w.write_raw(records_bytes);
  protocol::Bytes out = w.bytes();
  uint32_t crc = protocol::crc32c(std::span(out).subspan(21));
  out[17] = static_cast<uint8_t>(crc >> 24);
  out[18] = static_cast<uint8_t>(crc >> 16);
  out[19] = static_cast<uint8_t>(crc >> 8);
  out[20] = static_cast<uint8_t>(crc);
  return out;
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
  protocol::ByteReader r(bytes);
  while (r.remaining() > 0) {
    StoredBatch b;
    b.base_offset = r.read_i64();
    int32_t length = r.read_i32();
    auto rest = r.read_span(static_cast<std::size_t>(length));
    EXPECT_TRUE(r.ok()) << "torn batch";
    if (!r.ok()) break;
    protocol::ByteReader h(rest);
    b.leader_epoch = h.read_i32();
    h.read_i8();
    h.read_u32();
    b.attributes = h.read_i16();
    int32_t last_delta = h.read_i32();
    b.last_offset = b.base_offset + last_delta;
    int64_t base_ts = h.read_i64();
    b.max_timestamp = h.read_i64();
    h.read_i64();
    h.read_i16();
    h.read_i32();
    int32_t count = h.read_i32();
    auto records_span = h.read_span(h.remaining());
    protocol::Bytes records(records_span.begin(), records_span.end());
    auto codec = static_cast<protocol::Compression>(b.attributes & 7);
    if (codec != protocol::Compression::none) records = *protocol::decompress(codec, records, 1 << 26);
    protocol::ByteReader rr(records);
    for (int32_t i = 0; i < count; ++i) {
      rr.read_varint();
      rr.read_i8();
      int64_t ts_delta = rr.read_varlong();
      int32_t offset_delta = rr.read_varint();
      StoredRecord rec{b.base_offset + offset_delta,
                       (b.attributes & 8) ? b.max_timestamp : base_ts + ts_delta, {}, {}};
      int32_t klen = rr.read_varint();
      if (klen >= 0) {
        auto k = rr.read_span(static_cast<std::size_t>(klen));
        rec.key = std::string(k.begin(), k.end());
      }
      int32_t vlen = rr.read_varint();
      if (vlen >= 0) {
        auto v = rr.read_span(static_cast<std::size_t>(vlen));
        rec.value = std::string(v.begin(), v.end());
      }
      int32_t headers = rr.read_varint();
      for (int32_t j = 0; j < headers; ++j) {
        rr.read_span(static_cast<std::size_t>(rr.read_varint()));
        int32_t hv = rr.read_varint();
        if (hv > 0) rr.read_span(static_cast<std::size_t>(hv));
      }
      b.records.push_back(rec);
    }
    EXPECT_TRUE(rr.ok());
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace sluice::broker::storage::testing
