// The storage layer's view of a TopicPartition (sluice/topic_partition.h): the key of a log
// and the name of its directory, "<topic>-<partition>" (Kafka's layout; topic names may contain
// '-', so the partition is what follows the last '-').
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sluice/topic_partition.h"

namespace sluice::broker::storage {

using sluice::TopicPartition;

// The directory of a partition's log: "<topic>-<partition>".
inline std::string dir_name(const TopicPartition& tp) { return tp.to_string(); }

// Parses "<topic>-<partition>"; nullopt for anything else (including Kafka's
// "<topic>-<partition>.<id>-delete" and "-future" directories).
std::optional<TopicPartition> parse_dir_name(std::string_view name);

}  // namespace sluice::broker::storage
