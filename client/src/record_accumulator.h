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
#include "common/mutex.h"
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

// Batch memory, recycled as the Java producer's BufferPool recycles it: batches of exactly
// the pool's size take a buffer from here and give it back when they are done with it, so a
// steady stream of batches neither zero-fills nor page-faults fresh memory (at 1 MB batches
// that was a tenth of the producer's CPU). Other sizes (a record larger than batch.size) are
// plain allocations. Thread-safe: batches die on whichever thread drops them last.
class BufferPool {
 public:
  // Keeps at most `max_free` idle buffers of `buffer_size` bytes.
  BufferPool(std::size_t buffer_size, std::size_t max_free)
      : buffer_size_(buffer_size), max_free_(max_free) {}
  std::size_t buffer_size() const { return buffer_size_; }
  // Uninitialised memory of `size` bytes.
  std::unique_ptr<uint8_t[]> take(std::size_t size);
  void give(std::unique_ptr<uint8_t[]> buffer, std::size_t size);
  std::size_t idle() const;

 private:
  const std::size_t buffer_size_;
  const std::size_t max_free_;
  mutable Mutex mu_;
  std::vector<std::unique_ptr<uint8_t[]>> free_ GUARDED_BY(mu_);
};

// One batch of one partition.
class ProducerBatch {
 public:
  // `capacity`: bytes of records the batch is expected to hold (it grows if one record is
  // larger). `pool`: where its buffer comes from and goes back to; null: plain allocations.
  ProducerBatch(uint64_t id, std::string topic, int32_t partition, std::size_t capacity,
                Clock::time_point now, Clock::time_point deadline,
                std::shared_ptr<BufferPool> pool = nullptr);
  ~ProducerBatch();
  ProducerBatch(const ProducerBatch&) = delete;
  ProducerBatch& operator=(const ProducerBatch&) = delete;

  uint64_t id() const { return id_; }
  const std::string& topic() const { return topic_; }
  int32_t partition() const { return partition_; }
  int32_t record_count() const { return static_cast<int32_t>(deliveries_.size()); }
  // Bytes of the uncompressed batch so far (header included).
  std::size_t size() const { return size_; }
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
  // Makes room for `n` more bytes at size_ and returns where they go (uninitialised).
  uint8_t* grow(std::size_t n);
  // The batch being sealed: the compressed copy or the records buffer.
  std::span<uint8_t> bytes();
  void release_buffer();

  uint64_t id_;
  std::string topic_;
  int32_t partition_;
  std::shared_ptr<BufferPool> pool_;
  std::unique_ptr<uint8_t[]> buf_;  // header room + records; size_ bytes used of capacity_
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
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
