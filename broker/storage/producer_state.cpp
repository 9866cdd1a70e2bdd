// Idempotent-producer state: sequence and epoch checks, duplicate detection (see
// producer_state.h).
#include "broker/storage/producer_state.h"

#include <limits>
#include <string>

#include "broker/storage/storage_error.h"

namespace sluice::broker::storage {
namespace {

constexpr int32_t kMaxSequence = std::numeric_limits<int32_t>::max();

bool in_sequence(int32_t last_seq, int32_t next_seq) {
  return int64_t{next_seq} == int64_t{last_seq} + 1 || (next_seq == 0 && last_seq == kMaxSequence);
}

std::string describe(const BatchInfo& batch) {
  return "producer " + std::to_string(batch.producer_id) + " epoch " +
         std::to_string(batch.producer_epoch) + " sequence " + std::to_string(batch.base_sequence) +
         ".." + std::to_string(last_sequence(batch));
}

}  // namespace

int32_t last_sequence(const BatchInfo& batch) {
  int64_t delta = batch.last_offset - batch.base_offset;
  if (batch.base_sequence > kMaxSequence - delta) {
    return static_cast<int32_t>(delta - (kMaxSequence - batch.base_sequence) - 1);
  }
  return static_cast<int32_t>(batch.base_sequence + delta);
}

Result<std::optional<BatchMetadata>> ProducerStateMap::check(const BatchInfo& batch) const {
  using Out = std::optional<BatchMetadata>;
  if (batch.producer_id < 0) return Out();
  if (batch.producer_epoch < 0 || batch.base_sequence < 0) {
    return Error(StorageErrc::invalid_records, "batch of producer " +
                                                   std::to_string(batch.producer_id) +
                                                   " has no producer epoch or base sequence");
  }
  auto it = producers_.find(batch.producer_id);
  if (it == producers_.end()) {
    if (batch.base_sequence != 0) {
      return Error(StorageErrc::unknown_producer_id,
                   describe(batch) +
                       ": no state for this producer (its earlier records may "
                       "have been removed by retention)");
    }
    return Out();
  }
  const ProducerEntry& entry = it->second;
  if (batch.producer_epoch == entry.epoch) {
    int32_t last_seq = last_sequence(batch);
    for (const auto& cached : entry.batches) {
      if (cached.first_seq == batch.base_sequence && cached.last_seq == last_seq)
        return Out(cached);
    }
  }
  if (batch.producer_epoch < entry.epoch) {
    return Error(StorageErrc::invalid_producer_epoch,
                 describe(batch) + ": the latest epoch is " + std::to_string(entry.epoch));
  }
  if (batch.producer_epoch > entry.epoch) {
    if (batch.base_sequence != 0) {
      return Error(StorageErrc::out_of_order_sequence,
                   describe(batch) + ": a new epoch must start at sequence 0");
    }
    return Out();
  }
  if (entry.batches.empty()) {
    // Not reached through update() (an entry always has a batch); be strict anyway.
    if (batch.base_sequence != 0) {
      return Error(StorageErrc::unknown_producer_id, describe(batch) + ": no sequence known");
    }
    return Out();
  }
  int32_t expected_after = entry.batches.back().last_seq;
  if (!in_sequence(expected_after, batch.base_sequence)) {
    return Error(StorageErrc::out_of_order_sequence,
                 describe(batch) + ": expected sequence " +
                     std::to_string(expected_after == kMaxSequence ? 0 : expected_after + 1));
  }
  return Out();
}

void ProducerStateMap::update(const BatchInfo& batch) {
  if (batch.producer_id < 0 || batch.base_sequence < 0 || batch.control) return;
  ProducerEntry& entry = producers_[batch.producer_id];
  if (batch.producer_epoch != entry.epoch) {
    entry.epoch = batch.producer_epoch;
    entry.batches.clear();
  }
  entry.batches.push_back(BatchMetadata{batch.base_sequence, last_sequence(batch),
                                        batch.base_offset, batch.last_offset, batch.max_timestamp});
  while (entry.batches.size() > kProducerBatchesCached) entry.batches.pop_front();
}

bool ProducerStateMap::truncate_from(int64_t offset) {
  bool complete = true;
  for (auto it = producers_.begin(); it != producers_.end();) {
    auto& batches = it->second.batches;
    bool touched = false;
    while (!batches.empty() && batches.back().last_offset >= offset) {
      batches.pop_back();
      touched = true;
    }
    if (batches.empty()) {
      // Everything cached went; whether it wrote anything before is unknown here.
      if (touched) complete = false;
      it = producers_.erase(it);
    } else {
      ++it;
    }
  }
  return complete;
}

const ProducerEntry* ProducerStateMap::find(int64_t producer_id) const {
  auto it = producers_.find(producer_id);
  return it == producers_.end() ? nullptr : &it->second;
}

}  // namespace sluice::broker::storage
