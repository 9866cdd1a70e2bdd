// Idempotent-producer state of one partition log (KIP-98 idempotence, no transactions): for
// every producer id that wrote to the log, its latest epoch and its last five batches, so a
// leader can recognise a retried batch (and answer with the offsets it already has instead of
// appending it twice) and refuse batches that skip or rewind sequence numbers or come from a
// fenced epoch. Rebuilt from the batch headers of the log; see docs/log-format.md
// ("Producer state").
//
// Thread safety: none of its own. PartitionLog holds its writer mutex around every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>

#include "broker/storage/batch_format.h"
#include "common/result.h"

namespace sluice::broker::storage {

// How many batches per producer are remembered for duplicate detection: Kafka's, and the
// most requests an idempotent producer may have in flight per partition.
inline constexpr std::size_t kProducerBatchesCached = 5;

// One appended batch of a producer.
struct BatchMetadata {
  int32_t first_seq = -1;
  int32_t last_seq = -1;
  int64_t first_offset = -1;
  int64_t last_offset = -1;
  int64_t timestamp = -1;  // the batch's max timestamp
  friend bool operator==(const BatchMetadata&, const BatchMetadata&) = default;
};

struct ProducerEntry {
  int16_t epoch = -1;
  // Oldest first, at most kProducerBatchesCached, all of `epoch` (a new epoch clears them).
  std::deque<BatchMetadata> batches;
};

// The sequence number of the last record of `batch` (base sequence + last offset delta,
// wrapping past INT32_MAX to 0 as Kafka's DefaultRecordBatch.incrementSequence).
int32_t last_sequence(const BatchInfo& batch);

class ProducerStateMap {
 public:
  // A leader's check of one producer batch before it gets offsets (`batch` as parsed from
  // the request). nullopt: append it. A BatchMetadata: `batch` is a retry of that cached
  // batch (same epoch, same first and last sequence) — answer with its offsets, append
  // nothing. Batches without a producer id always pass.
  // Errors (Kafka 2.x semantics):
  //   invalid_records         a producer id without an epoch or base sequence;
  //   invalid_producer_epoch  an epoch older than the producer's latest;
  //   out_of_order_sequence   a newer epoch not starting at sequence 0, or the same epoch
  //                           not continuing at last sequence + 1;
  //   unknown_producer_id     a producer without state whose batch does not start at 0 (its
  //                           earlier batches are gone: retention, compaction, DeleteRecords).
  Result<std::optional<BatchMetadata>> check(const BatchInfo& batch) const;

  // Records an appended batch with its final offsets: after a leader's write, for every
  // follower append and while rebuilding — without checks. A different epoch replaces the
  // entry's epoch and clears its batches. Batches without a producer id or sequence, and
  // control batches, are ignored.
  void update(const BatchInfo& batch);

  // After the log was truncated to `offset`: drops cached batches whose last offset is
  // >= `offset`. Returns false when some producer lost all its cached batches — what it
  // wrote before them (older batches, an older epoch) is not known here, so the caller must
  // rebuild the state from the log.
  [[nodiscard]] bool truncate_from(int64_t offset);

  void clear() { producers_.clear(); }
  const ProducerEntry* find(int64_t producer_id) const;
  std::size_t size() const { return producers_.size(); }

 private:
  std::unordered_map<int64_t, ProducerEntry> producers_;
};

}  // namespace sluice::broker::storage
