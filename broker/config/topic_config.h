// Topic-level configuration (Kafka's per-topic keys such as retention.ms, cleanup.policy):
// which keys exist, how they are validated, and the effective value of each for a topic —
// its override from /config/topics/<t> or else the broker default it inherits
// (log.retention.ms → retention.ms, ...). Used by CreateTopics/AlterConfigs validation,
// DescribeConfigs, and the storage layer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sluice::broker::config {

class BrokerConfig;

struct TopicConfigKey {
  std::string_view name;
  enum class Type { int32, int64, boolean, string, list, float64 } type;
  std::string_view broker_key;  // the broker key whose value is the default, or empty
  const char* fallback;         // default when there is no broker key
  int64_t min = INT64_MIN;
  int64_t max = INT64_MAX;
  std::span<const std::string_view> choices = {};  // allowed values (lists: each element)
};

std::span<const TopicConfigKey> topic_config_keys();
const TopicConfigKey* find_topic_key(std::string_view name);

// Checks one override; the error (INVALID_CONFIG-worthy) names the key and the problem.
Status validate_topic_config(std::string_view name, std::string_view value);
Status validate_topic_configs(const std::map<std::string, std::string>& overrides);

enum class TopicConfigSource { topic_override, broker_config, default_config };

struct TopicConfigEntry {
  std::string name;
  std::string value;
  TopicConfigSource source;
};

// Every topic key with its effective value, in table order.
std::vector<TopicConfigEntry> effective_topic_config(
    const BrokerConfig& broker, const std::map<std::string, std::string>& overrides);

// The typed values the log needs.
struct LogSettings {
  int64_t segment_bytes = 1073741824;
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;  // -1: forever
  int64_t retention_bytes = -1;
  int64_t index_interval_bytes = 4096;
  int64_t segment_index_bytes = 10485760;
  int64_t flush_messages = INT64_MAX;
  int64_t flush_ms = INT64_MAX;
  bool compact = false;
  bool delete_ = true;
  int64_t delete_retention_ms = 86400000;
  int64_t min_compaction_lag_ms = 0;
  int64_t max_message_bytes = 1048588;
  int32_t min_insync_replicas = 1;
  bool log_append_time = false;  // message.timestamp.type=LogAppendTime
  bool unclean_leader_election = false;
  int64_t file_delete_delay_ms = 60000;
};
LogSettings log_settings(const BrokerConfig& broker,
                         const std::map<std::string, std::string>& overrides);

}  // namespace sluice::broker::config
