// The producer's record accumulator: per partition, a queue of record batches that records
// are encoded into as they are sent (RecordBatch v2, docs/record-batch.md), so a batch is
// ready to go on the wire when the sender takes it: the header is filled in, the records
// compressed once, and nothing is copied per record after send().
//
// Threading: every member of these structs is guarded by the producer's accumulator mutex
// (producer.cpp). Fields marked "sender" are only touched by the sender on the client's
// runtime executor (still under the mutex when the batch is in a queue).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "client/src/partitioner.h"
#include "protocol/compression.h"
#include "protocol/wire.h"
#include "sluice/error.h"
#include "sluice/record.h"

namespace sluice::client::detail {

using Clock = std::chrono::steady_clock;
// Delivery reports are passed by reference: one Result is reused for every record of a
// batch (no per-record RecordMetadata or topic copy), and the user's
// Producer::DeliveryCallback is stored as is, without a wrapper.
using DeliveryFn = std::function<void(const Result<RecordMetadata>&)>;

// Bytes of one record in a RecordBatch v2 (length prefix included).
std::size_t encoded_record_size(const ProducerRecord& record, int64_t timestamp_delta,
                                int32_t offset_delta);

// One batch of one partition.
class ProducerBatch {
 public:
  ProducerBatch(uint64_t id, std::string topic, int32_t partition, std::size_t capacity,
                Clock::time_point now, Clock::time_point deadline);

  uint64_t id() const { return id_; }
  const std::string& topic() const { return topic_; }
  int32_t partition() const { return partition_; }
  int32_t record_count() const { return static_cast<int32_t>(deliveries_.size()); }
  // Bytes of the uncompressed batch so far (header included).
  std::size_t size() const { return buf_.size(); }
  Clock::time_point created() const { return created_; }
  Clock::time_point deadline() const { return deadline_; }
  int64_t reserved_bytes() const { return reserved_; }

  // The size this record would add (its encoding).
  std::size_t size_of(const ProducerRecord& record, int64_t timestamp) const;
  // Encodes `record` at the next offset delta. `reserved`: buffer.memory bytes held for it.
  void append(const ProducerRecord& record, int64_t timestamp, DeliveryFn on_delivery,
              int64_t reserved);

  // Closed: full (or taken by the sender); no more appends.
  bool closed = false;

  // --- sender state ---
  // Fills the header (producer id/epoch/base sequence: -1 without idempotence) and
  // compresses the records the first time. Later calls only rewrite the producer fields
  // (a retry after a new producer id). Fails only when compression fails.
  Status seal(protocol::Compression compression, int64_t producer_id, int16_t producer_epoch,
              int32_t base_sequence);
  bool sealed() const { return sealed_; }
  int64_t producer_id() const { return producer_id_; }
  int32_t base_sequence() const { return base_sequence_; }
  // The batch as it goes on the wire. REQUIRES: sealed().
  std::span<const uint8_t> wire() const;
  int attempts = 0;
  Clock::time_point retry_at{};
  bool done() const { return done_; }

  // Reports every record once: success with offsets base_offset + i (-1 with acks=0),
  // or `error`. Later calls do nothing.
  void complete(int64_t base_offset, int64_t log_append_time);
  void fail(const Error& error);

 private:
  struct Delivery {
    DeliveryFn fn;
    int64_t timestamp;
  };
  uint64_t id_;
  std::string topic_;
  int32_t partition_;
  protocol::Bytes buf_;  // header room + records
  protocol::Bytes compressed_;
  bool use_compressed_ = false;
  int64_t base_timestamp_ = 0;
  int64_t max_timestamp_ = 0;
  std::vector<Delivery> deliveries_;
  Clock::time_point created_;
  Clock::time_point deadline_;
  int64_t reserved_ = 0;
  bool sealed_ = false;
  bool done_ = false;
  int64_t producer_id_ = -1;
  int16_t producer_epoch_ = -1;
  int32_t base_sequence_ = -1;
};

using BatchPtr = std::shared_ptr<ProducerBatch>;

struct PartitionQueue {
  std::deque<BatchPtr> batches;  // send order; only back() may be open
  // --- sender state ---
  int32_t next_sequence = 0;    // idempotence: base sequence of the next new batch
  int32_t in_flight = 0;        // batches of this partition in requests not yet answered
  int32_t in_flight_node = -1;  // the broker they went to (one at a time, to keep order)
  bool recovering = false;      // a batch failed: send nothing until in_flight is 0
  std::set<uint64_t> unacked;   // ids of batches sent at least once and not completed
};

// A record sent before its topic's partition count was known.
struct PendingRecord {
  ProducerRecord record;
  int64_t timestamp;
  DeliveryFn on_delivery;
  int64_t reserved;
  Clock::time_point deadline;
};

struct TopicQueues {
  std::string name;
  int32_t partition_count = -1;  // -1: metadata not known yet
  std::vector<PartitionQueue> partitions;
  StickyState sticky;
  std::vector<PendingRecord> pending;  // waiting for partition_count
  bool metadata_requested = false;     // sender: a metadata fetch is under way
  bool metadata_stale = false;         // sender: a produce error says the leaders moved
};

}  // namespace sluice::client::detail
