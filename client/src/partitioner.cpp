// Partitioner: Kafka-compatible murmur2 and sticky partitioning (see partitioner.h).
#include "client/src/partitioner.h"

namespace sluice::client::detail {

int32_t murmur2(std::span<const uint8_t> data) {
  // Kafka's variant of MurmurHash2: little-endian 4-byte words, the tail folded in from
  // its last byte down, all arithmetic modulo 2^32 (Java ints).
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const std::size_t length = data.size();
  uint32_t h = kSeed ^ static_cast<uint32_t>(length);
  const std::size_t words = length / 4;
  for (std::size_t i = 0; i < words; ++i) {
    const uint8_t* p = data.data() + i * 4;
    uint32_t k =
        uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const uint8_t* tail = data.data() + words * 4;
  switch (length % 4) {
    case 3:
      h ^= uint32_t{tail[2]} << 16;
      [[fallthrough]];
    case 2:
      h ^= uint32_t{tail[1]} << 8;
      [[fallthrough]];
    case 1:
      h ^= uint32_t{tail[0]};
      h *= kM;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

Result<PartitionerKind> parse_partitioner(const std::string& name) {
  if (name == "murmur2_random" || name.empty()) return PartitionerKind::murmur2_random;
  if (name == "murmur2") return PartitionerKind::murmur2;
  if (name == "random") return PartitionerKind::random;
  return Error(make_error_code(ClientErrc::invalid_config),
               "partitioner: '" + name + "' is not one of murmur2_random, murmur2, random");
}

Partitioner::Partitioner(PartitionerKind kind, uint64_t seed)
    : kind_(kind), rng_(static_cast<std::minstd_rand::result_type>(seed % 2147483646u + 1)) {}

int32_t Partitioner::random_partition(int32_t num_partitions, int32_t avoid) {
  if (num_partitions <= 1) return 0;
  if (avoid >= 0 && avoid < num_partitions) {
    // Uniform over the other n-1 partitions.
    auto r = static_cast<int32_t>(rng_() % static_cast<uint32_t>(num_partitions - 1));
    return r >= avoid ? r + 1 : r;
  }
  return static_cast<int32_t>(rng_() % static_cast<uint32_t>(num_partitions));
}

int32_t Partitioner::partition(const std::optional<std::string>& key, int32_t num_partitions,
                               StickyState& sticky) {
  switch (kind_) {
    case PartitionerKind::random:
      return random_partition(num_partitions);
    case PartitionerKind::murmur2:
      return partition_for_key(key ? std::string_view(*key) : std::string_view(), num_partitions);
    case PartitionerKind::murmur2_random:
      break;
  }
  if (key) return partition_for_key(*key, num_partitions);
  if (sticky.partition < 0 || sticky.partition >= num_partitions) {
    // The previous sticky partition's batch is done: move on, preferably elsewhere.
    sticky.partition = random_partition(num_partitions, sticky.previous);
    sticky.batch_id = 0;
  }
  return sticky.partition;
}

}  // namespace sluice::client::detail
