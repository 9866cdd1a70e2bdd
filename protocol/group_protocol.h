// The "consumer" embedded protocol: the bytes consumers put in JoinGroup protocol metadata
// (their subscription) and the leader puts in SyncGroup assignments. Each starts with an
// int16 version; versions newer than ours are read by their known prefix (Kafka's
// forward-compatibility rule: new versions only append fields).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "protocol/wire.h"

namespace sluice::protocol {

struct TopicPartitions {
  std::string topic;
  std::vector<int32_t> partitions;
  friend bool operator==(const TopicPartitions&, const TopicPartitions&) = default;
};

// ConsumerProtocolSubscription v0-3.
struct ConsumerSubscription {
  std::vector<std::string> topics;
  std::optional<Bytes> user_data;
  std::vector<TopicPartitions> owned_partitions;  // v1+ (cooperative rebalancing)
  int32_t generation_id = -1;                     // v2+
  std::optional<std::string> rack_id;             // v3+
  friend bool operator==(const ConsumerSubscription&, const ConsumerSubscription&) = default;
};

// ConsumerProtocolAssignment v0-3.
struct ConsumerAssignment {
  std::vector<TopicPartitions> assigned_partitions;
  std::optional<Bytes> user_data;
  friend bool operator==(const ConsumerAssignment&, const ConsumerAssignment&) = default;
};

inline constexpr int16_t kConsumerProtocolMaxVersion = 3;

Bytes encode_subscription(const ConsumerSubscription& s,
                          int16_t version = kConsumerProtocolMaxVersion);
Result<ConsumerSubscription> decode_subscription(std::span<const uint8_t> bytes);
Bytes encode_assignment(const ConsumerAssignment& a, int16_t version = kConsumerProtocolMaxVersion);
Result<ConsumerAssignment> decode_assignment(std::span<const uint8_t> bytes);

}  // namespace sluice::protocol
