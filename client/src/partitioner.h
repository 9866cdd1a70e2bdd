// How the producer picks a partition for a record: Kafka's murmur2 for keys (the Java
// client's and librdkafka's murmur2_random, so a key lands on the same partition with
// every client), sticky partitioning for null keys (KIP-480), or random.
//
// Threading: a Partitioner holds a random engine; callers serialize access (the producer
// calls it under its accumulator lock).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>

#include "sluice/error.h"

namespace sluice::client::detail {

// Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2: seed 0x9747b28c, m
// 0x5bd1e995, r 24), returned as the signed 32-bit value Java computes.
int32_t murmur2(std::span<const uint8_t> data);
inline int32_t murmur2(std::string_view data) {
  return murmur2(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}
// Java's Utils.toPositive: clears the sign bit (not abs()).
inline int32_t to_positive(int32_t h) { return h & 0x7fffffff; }
// The partition the Java client (and librdkafka's murmur2/murmur2_random) gives `key`.
// REQUIRES: num_partitions > 0.
inline int32_t partition_for_key(std::string_view key, int32_t num_partitions) {
  return to_positive(murmur2(key)) % num_partitions;
}

enum class PartitionerKind {
  murmur2_random,  // keys: murmur2; null keys: sticky (the Java client's default)
  murmur2,         // every record hashed, a null key as zero bytes (librdkafka's murmur2)
  random,          // every record to a random partition
};
// Parses ProducerConfig::partitioner ("murmur2_random", "murmur2", "random");
// ClientErrc::invalid_config for anything else.
Result<PartitionerKind> parse_partitioner(const std::string& name);

// The sticky partition of one topic: records without a key go to `partition` until the
// batch they fill is closed or sent; then the accumulator calls reset() and the next null
// key picks another partition (KIP-480).
struct StickyState {
  int32_t partition = -1;  // -1: none chosen yet
  uint64_t batch_id = 0;   // the batch the sticky records are going into (0: none yet)
  int32_t previous = -1;   // the one before: the next choice avoids it when it can
  void reset() {
    if (partition >= 0) previous = partition;
    partition = -1;
    batch_id = 0;
  }
};

class Partitioner {
 public:
  explicit Partitioner(PartitionerKind kind, uint64_t seed = std::random_device{}());

  PartitionerKind kind() const { return kind_; }
  // The partition for a record with `key` in a topic of `num_partitions` partitions.
  // `sticky` is the topic's sticky state (used for null keys with murmur2_random).
  // REQUIRES: num_partitions > 0.
  int32_t partition(const std::optional<std::string>& key, int32_t num_partitions,
                    StickyState& sticky);
  // A uniformly random partition, different from `avoid` when there is a choice.
  int32_t random_partition(int32_t num_partitions, int32_t avoid = -1);

 private:
  PartitionerKind kind_;
  std::minstd_rand rng_;
};

}  // namespace sluice::client::detail
