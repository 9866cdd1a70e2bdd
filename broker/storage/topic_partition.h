// A topic-partition as the storage layer names it: the key of a log, and the name of its
// directory, "<topic>-<partition>" (Kafka's layout; topic names may contain '-', so the
// partition is what follows the last '-').
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::broker::storage {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  std::string dir_name() const { return topic + "-" + std::to_string(partition); }
  std::string to_string() const { return dir_name(); }
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;

  // Parses "<topic>-<partition>"; nullopt for anything else (including Kafka's
  // "<topic>-<partition>.<id>-delete" and "-future" directories).
  static std::optional<TopicPartition> parse_dir_name(std::string_view name);
};

}  // namespace sluice::broker::storage

template <>
struct std::hash<sluice::broker::storage::TopicPartition> {
  std::size_t operator()(const sluice::broker::storage::TopicPartition& tp) const noexcept {
    return std::hash<std::string>()(tp.topic) * 31 + std::hash<int32_t>()(tp.partition);
  }
};
