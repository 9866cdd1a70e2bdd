// What the storage layer needs to know of Kafka's RecordBatch v2, and nothing more: the
// fixed header fields, validation, the in-place rewrites a leader does on append, and the
// record access that timestamp lookups and compaction need. This is the only part of
// broker/storage that depends on protocol/record_batch.h; the log, recovery and the
// cleaner go through these functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"

namespace sluice::broker::storage {

// Bytes of the fixed RecordBatch v2 header (base offset .. records count).
inline constexpr int64_t kBatchHeaderSize = 61;
// Bytes before batch_length counts: base offset (8) + batch length (4).
inline constexpr int64_t kBatchLogOverhead = 12;

struct BatchInfo {
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  int64_t size = 0;  // the whole batch: batch_length + 12
  int32_t leader_epoch = -1;
  int64_t max_timestamp = -1;
  int32_t records_count = 0;
  bool log_append_time = false;  // attributes bit 3
  bool control = false;          // attributes bit 5 (transaction markers)
  // Idempotent producers (KIP-98): -1 / -1 / -1 when the batch has no producer id. The
  // sequence of the batch's last record is base_sequence + (last_offset - base_offset),
  // wrapping past INT32_MAX to 0.
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
};

// Parses the fixed header at the start of `bytes` (at least kBatchHeaderSize bytes): magic
// 2, a batch length that covers the header, non-negative last offset delta and record count.
// The CRC is not checked. Errors: corrupt (a torn or garbage header).
Result<BatchInfo> parse_batch_info(std::span<const uint8_t> bytes);

// How much of a batch to check.
enum class BatchCheck {
  // Header, length and CRC-32C: what is stored was validated when it was appended (recovery,
  // follower appends, as Kafka's ensureValid).
  crc,
  // Also the records — count, lengths, offset deltas 0..n-1 — decompressing as needed: what a
  // leader requires of a producer's batch.
  producer,
};

// Validates one whole batch (`batch` must be exactly the batch). Errors: corrupt.
Status validate_batch(std::span<const uint8_t> batch, BatchCheck check);

// Splits `buffer` (a produce request's or replica fetch's records) into its batches and
// validates each one. A trailing partial batch, a bad batch, or no batch at all is
// invalid_records.
Result<std::vector<BatchInfo>> parse_batches(std::span<const uint8_t> buffer, BatchCheck check);

// In-place rewrites; only set_log_append_time touches the CRC-covered part (and recomputes
// the CRC). REQUIRES: `batch` holds at least the fixed header.
void set_base_offset(std::span<uint8_t> batch, int64_t base_offset);
void set_leader_epoch(std::span<uint8_t> batch, int32_t leader_epoch);
void set_log_append_time(std::span<uint8_t> batch, int64_t timestamp);

// The first record of `batch` (whole, validated) whose offset is >= `min_offset` and whose
// timestamp is >= `timestamp`, decompressing as needed (ListOffsets by timestamp).
struct RecordPosition {
  int64_t offset;
  int64_t timestamp;
};
Result<std::optional<RecordPosition>> find_record_by_timestamp(std::span<const uint8_t> batch,
                                                               int64_t timestamp,
                                                               int64_t min_offset);

// One record of a batch as compaction sees it.
struct RecordRef {
  int64_t offset;
  int64_t timestamp;
  std::optional<std::string> key;  // nullopt: null key
  bool null_value;                 // a tombstone
};

// The records of one whole batch, decompressed as needed. Errors: corrupt.
Result<std::vector<RecordRef>> decode_records(std::span<const uint8_t> batch);

// A copy of `batch` holding only the records whose `keep` flag is set (one flag per record,
// in order), re-encoded with protocol's RecordBatchBuilder: each record at its original
// offset, with the batch's base offset, partition leader epoch, codec, timestamp type and
// producer fields; last offset delta, timestamps, record count, length and CRC follow the
// kept records. REQUIRES: at least one kept record; not a control batch.
Result<std::vector<uint8_t>> filter_batch(std::span<const uint8_t> batch,
                                          const std::vector<bool>& keep);

}  // namespace sluice::broker::storage
