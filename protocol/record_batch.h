// Kafka RecordBatch v2 (magic 2): the unit producers send, brokers store as received, and
// consumers read. Layout (big-endian), specified in docs/record-batch.md:
//
//   base_offset int64 | batch_length int32 | partition_leader_epoch int32 | magic int8 (2)
//   | crc uint32 (CRC-32C of everything after it) | attributes int16 | last_offset_delta int32
//   | base_timestamp int64 | max_timestamp int64 | producer_id int64 | producer_epoch int16
//   | base_sequence int32 | records_count int32 | records...
//
// A record: length varint | attributes int8 | timestamp_delta varlong | offset_delta varint
//   | key (varint length, -1 = null) | value (varint length, -1 = null)
//   | header count varint, each: key (varint length + bytes) | value (varint length, -1 = null)
//
// The CRC starts at `attributes`, so a broker may rewrite base offset and partition leader
// epoch in place without touching it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "common/result.h"
#include "protocol/compression.h"
#include "protocol/wire.h"

namespace sluice::protocol {

inline constexpr std::size_t kRecordBatchHeaderSize = 61;
inline constexpr std::size_t kRecordBatchLogOverhead = 12;  // base_offset + batch_length
inline constexpr int8_t kRecordBatchMagic = 2;

enum class RecordBatchErrc {
  corrupt_message = 1,   // lengths or varints that do not add up
  bad_magic,             // magic != 2
  crc_mismatch,          // CRC-32C of the batch does not match its crc field
  bad_length,            // batch_length does not match the bytes
  bad_record_count,      // records_count differs from the records present
  bad_offset_delta,      // offset deltas not 0..n-1, or last_offset_delta wrong
  invalid_timestamp,     // a record timestamp below the base timestamp's domain
  decompression_failed,  // compressed records that do not decompress
  too_large,             // decompressed records beyond the allowed size
};
const std::error_category& record_batch_category();
inline std::error_code make_error_code(RecordBatchErrc e) {
  return {static_cast<int>(e), record_batch_category()};
}

enum class TimestampType { create_time = 0, log_append_time = 1 };

struct RecordBatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = -1;
  int8_t magic = kRecordBatchMagic;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t records_count = 0;

  Compression compression() const { return static_cast<Compression>(attributes & 0x07); }
  TimestampType timestamp_type() const {
    return (attributes & 0x08) != 0 ? TimestampType::log_append_time : TimestampType::create_time;
  }
  bool is_transactional() const { return (attributes & 0x10) != 0; }
  bool is_control() const { return (attributes & 0x20) != 0; }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  // Bytes of the whole batch (batch_length + 12).
  std::size_t size() const {
    return static_cast<std::size_t>(batch_length) + kRecordBatchLogOverhead;
  }
};

// Reads the fixed header (needs kRecordBatchHeaderSize bytes): magic 2 and a batch length
// that covers the header. Does not check the CRC.
Result<RecordBatchHeader> parse_batch_header(std::span<const uint8_t> bytes);

struct ValidateOptions {
  // Check the records themselves (count, lengths, offset deltas), decompressing if needed.
  bool check_records = true;
  // A producer's batch must have offset deltas 0..n-1 (Kafka's validation of produce).
  bool require_sequential_offsets = true;
  std::size_t max_decompressed_bytes = 64 * 1024 * 1024;
};
// Validates exactly one whole batch (`batch` must be the batch and nothing else).
Status validate_batch(std::span<const uint8_t> batch, const ValidateOptions& options = {});

struct RecordHeader {
  std::string key;
  std::optional<Bytes> value;
  friend bool operator==(const RecordHeader&, const RecordHeader&) = default;
};

struct Record {
  int64_t offset = 0;     // base_offset + offset_delta
  int64_t timestamp = 0;  // base_timestamp + timestamp_delta (or max_timestamp with LogAppendTime)
  std::optional<Bytes> key;
  std::optional<Bytes> value;
  std::vector<RecordHeader> headers;
  friend bool operator==(const Record&, const Record&) = default;
};

// The records of one whole batch (decompressed as needed, bounded by max_decompressed).
Result<std::vector<Record>> decode_records(std::span<const uint8_t> batch,
                                           std::size_t max_decompressed = 64 * 1024 * 1024);

// Walks concatenated batches (a produce request's or fetch response's records). A final
// batch cut short is not an error for readers (fetch responses may end mid-batch): next()
// stops and truncated_tail() says so.
class BatchIterator {
 public:
  explicit BatchIterator(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  // The next whole batch, or nullopt at the end (or at a truncated tail, or a bad header:
  // see error()).
  std::optional<std::span<const uint8_t>> next();
  bool truncated_tail() const { return truncated_; }
  const std::optional<Error>& error() const { return error_; }

 private:
  std::span<const uint8_t> bytes_;
  std::size_t pos_ = 0;
  bool truncated_ = false;
  std::optional<Error> error_;
};

// In-place rewrites outside the CRC range. REQUIRES: batch.size() >= kRecordBatchHeaderSize.
void set_base_offset(std::span<uint8_t> batch, int64_t base_offset);
void set_partition_leader_epoch(std::span<uint8_t> batch, int32_t epoch);
// Sets the LogAppendTime attribute and max_timestamp, then recomputes the CRC.
void set_log_append_time(std::span<uint8_t> batch, int64_t timestamp);

// Builds one batch from records (producers, the compactor, tests).
class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(Compression compression = Compression::none, int64_t base_offset = 0)
      : compression_(compression), base_offset_(base_offset) {}
  RecordBatchBuilder& producer(int64_t id, int16_t epoch, int32_t base_sequence) {
    producer_id_ = id;
    producer_epoch_ = epoch;
    base_sequence_ = base_sequence;
    return *this;
  }
  RecordBatchBuilder& transactional(bool on) {
    transactional_ = on;
    return *this;
  }
  RecordBatchBuilder& partition_leader_epoch(int32_t epoch) {
    leader_epoch_ = epoch;
    return *this;
  }
  // Appends a record with the next offset delta (or `offset_delta` when given, for
  // compacted batches that keep original offsets).
  RecordBatchBuilder& add(std::optional<Bytes> key, std::optional<Bytes> value, int64_t timestamp,
                          std::vector<RecordHeader> headers = {},
                          std::optional<int32_t> offset_delta = std::nullopt);
  std::size_t record_count() const { return records_.size(); }
  // REQUIRES: at least one record. Fails only when compression fails.
  Result<Bytes> build() const;

 private:
  struct Pending {
    std::optional<Bytes> key, value;
    int64_t timestamp;
    std::vector<RecordHeader> headers;
    int32_t offset_delta;
  };
  Compression compression_;
  int64_t base_offset_;
  int64_t producer_id_ = -1;
  int16_t producer_epoch_ = -1;
  int32_t base_sequence_ = -1;
  bool transactional_ = false;
  int32_t leader_epoch_ = -1;
  std::vector<Pending> records_;
};

}  // namespace sluice::protocol

template <>
struct std::is_error_code_enum<sluice::protocol::RecordBatchErrc> : std::true_type {};
