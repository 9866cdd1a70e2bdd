// A partition of a topic, as clients and the broker both name it: the one TopicPartition type
// of the project (the client re-exports it as sluice::client::TopicPartition; storage names
// its log directories after it). Public: installed with libsluice.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace sluice {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  // "<topic>-<partition>", Kafka's way of writing one (and the name of its log directory).
  std::string to_string() const { return topic + "-" + std::to_string(partition); }
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
};

}  // namespace sluice

template <>
struct std::hash<sluice::TopicPartition> {
  std::size_t operator()(const sluice::TopicPartition& tp) const noexcept {
    return std::hash<std::string>()(tp.topic) * 31 + static_cast<std::size_t>(tp.partition);
  }
};
