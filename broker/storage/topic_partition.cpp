// TopicPartition directory names (see topic_partition.h).
#include "broker/storage/topic_partition.h"

#include <charconv>

namespace sluice::broker::storage {

std::optional<TopicPartition> parse_dir_name(std::string_view name) {
  auto dash = name.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == name.size()) return std::nullopt;
  std::string_view digits = name.substr(dash + 1);
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int32_t partition = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), partition);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  std::string_view topic = name.substr(0, dash);
  for (char c : topic) {
    bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
    if (!legal) return std::nullopt;
  }
  return TopicPartition{std::string(topic), partition};
}

}  // namespace sluice::broker::storage
