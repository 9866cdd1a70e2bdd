// The topic-level key table (Kafka's names and defaults) and effective values.
#include "broker/config/topic_config.h"

#include <algorithm>
#include <charconv>

#include "broker/config/broker_config.h"

namespace sluice::broker::config {
namespace {

using T = TopicConfigKey::Type;
constexpr std::string_view kCleanupPolicies[] = {"delete", "compact"};
constexpr std::string_view kTimestampTypes[] = {"CreateTime", "LogAppendTime"};
constexpr std::string_view kCompressionTypes[] = {"uncompressed", "zstd", "lz4",
                                                  "snappy",       "gzip", "producer"};
constexpr int64_t kIntMax = INT32_MAX;

// Ordered as Kafka's DescribeConfigs lists them (alphabetical).
constexpr TopicConfigKey kKeys[] = {
    {"cleanup.policy", T::list, "log.cleanup.policy", "delete", 0, 0, kCleanupPolicies},
    {"compression.type", T::string, "", "producer", 0, 0, kCompressionTypes},
    {"delete.retention.ms", T::int64, "log.cleaner.delete.retention.ms", "86400000", 0, INT64_MAX},
    {"file.delete.delay.ms", T::int64, "log.segment.delete.delay.ms", "60000", 0, INT64_MAX},
    {"flush.messages", T::int64, "log.flush.interval.messages", "9223372036854775807", 1,
     INT64_MAX},
    {"flush.ms", T::int64, "log.flush.interval.ms", "9223372036854775807", 0, INT64_MAX},
    {"index.interval.bytes", T::int32, "log.index.interval.bytes", "4096", 0, kIntMax},
    {"max.compaction.lag.ms", T::int64, "", "9223372036854775807", 1, INT64_MAX},
    {"max.message.bytes", T::int32, "message.max.bytes", "1048588", 0, kIntMax},
    {"message.timestamp.type", T::string, "log.message.timestamp.type", "CreateTime", 0, 0,
     kTimestampTypes},
    {"min.cleanable.dirty.ratio", T::float64, "log.cleaner.min.cleanable.ratio", "0.5", 0, 1},
    {"min.compaction.lag.ms", T::int64, "", "0", 0, INT64_MAX},
    {"min.insync.replicas", T::int32, "min.insync.replicas", "1", 1, kIntMax},
    {"preallocate", T::boolean, "", "false"},
    {"retention.bytes", T::int64, "log.retention.bytes", "-1", -1, INT64_MAX},
    {"retention.ms", T::int64, "log.retention.ms", "604800000", -1, INT64_MAX},
    {"segment.bytes", T::int32, "log.segment.bytes", "1073741824", 14, kIntMax},
    {"segment.index.bytes", T::int32, "log.index.size.max.bytes", "10485760", 4, kIntMax},
    {"segment.jitter.ms", T::int64, "", "0", 0, INT64_MAX},
    {"segment.ms", T::int64, "log.roll.ms", "604800000", 1, INT64_MAX},
    {"unclean.leader.election.enable", T::boolean, "unclean.leader.election.enable", "false"},
};

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    auto comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

Error invalid(std::string_view key, std::string_view value, std::string_view why) {
  return Error(std::make_error_code(std::errc::invalid_argument),
               "invalid value '" + std::string(value) + "' for topic config " + std::string(key) +
                   ": " + std::string(why));
}

// The broker's value for a topic key's broker default (resolving retention/roll units).
std::optional<std::string> broker_default(const BrokerConfig& broker, const TopicConfigKey& key) {
  if (key.broker_key.empty()) return std::nullopt;
  if (key.broker_key == "log.retention.ms") return std::to_string(broker.log_retention_ms);
  if (key.broker_key == "log.roll.ms") return std::to_string(broker.log_roll_ms);
  return broker.value(key.broker_key);
}

// Whether the operator set the broker default (directly or through its unit variants).
bool broker_key_set(const BrokerConfig& broker, std::string_view broker_key) {
  std::vector<std::string_view> keys = {broker_key};
  if (broker_key == "log.retention.ms")
    keys = {"log.retention.ms", "log.retention.minutes", "log.retention.hours"};
  if (broker_key == "log.roll.ms") keys = {"log.roll.ms", "log.roll.hours"};
  for (auto k : keys) {
    if (broker.source(k) != ConfigSource::default_config) return true;
  }
  return false;
}

}  // namespace

std::span<const TopicConfigKey> topic_config_keys() { return kKeys; }

const TopicConfigKey* find_topic_key(std::string_view name) {
  for (const auto& k : kKeys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

Status validate_topic_config(std::string_view name, std::string_view value) {
  const TopicConfigKey* key = find_topic_key(name);
  if (key == nullptr) {
    return Error(std::make_error_code(std::errc::invalid_argument),
                 "unknown topic config '" + std::string(name) + "'");
  }
  auto allowed = [&](std::string_view v) {
    return key->choices.empty() ||
           std::find(key->choices.begin(), key->choices.end(), v) != key->choices.end();
  };
  switch (key->type) {
    case T::int32:
    case T::int64: {
      auto v = parse_int(value);
      if (!v) return invalid(name, value, "not an integer");
      if (*v < key->min || *v > key->max) {
        return invalid(
            name, value,
            "out of range [" + std::to_string(key->min) + ", " + std::to_string(key->max) + "]");
      }
      return {};
    }
    case T::boolean:
      if (value != "true" && value != "false") return invalid(name, value, "not true/false");
      return {};
    case T::float64: {
      double d = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
      if (ec != std::errc() || p != value.data() + value.size())
        return invalid(name, value, "not a number");
      if (d < static_cast<double>(key->min) || d > static_cast<double>(key->max)) {
        return invalid(name, value, "out of range");
      }
      return {};
    }
    case T::string:
      if (!allowed(value)) return invalid(name, value, "not one of the allowed values");
      return {};
    case T::list: {
      auto items = split_list(value);
      if (items.empty()) return invalid(name, value, "empty list");
      for (auto item : items) {
        if (!allowed(item))
          return invalid(name, value, "'" + std::string(item) + "' is not allowed");
      }
      return {};
    }
  }
  return {};
}

Status validate_topic_configs(const std::map<std::string, std::string>& overrides) {
  for (const auto& [k, v] : overrides) {
    if (Status st = validate_topic_config(k, v); !st) return st;
  }
  return {};
}

std::vector<TopicConfigEntry> effective_topic_config(
    const BrokerConfig& broker, const std::map<std::string, std::string>& overrides) {
  std::vector<TopicConfigEntry> out;
  for (const auto& key : kKeys) {
    TopicConfigEntry e;
    e.name = std::string(key.name);
    if (auto it = overrides.find(e.name); it != overrides.end()) {
      e.value = it->second;
      e.source = TopicConfigSource::topic_override;
    } else if (auto b = broker_default(broker, key)) {
      e.value = *b;
      e.source = broker_key_set(broker, key.broker_key) ? TopicConfigSource::broker_config
                                                        : TopicConfigSource::default_config;
    } else {
      e.value = key.fallback;
      e.source = TopicConfigSource::default_config;
    }
    out.push_back(std::move(e));
  }
  return out;
}

LogSettings log_settings(const BrokerConfig& broker,
                         const std::map<std::string, std::string>& overrides) {
  LogSettings s;
  for (const auto& e : effective_topic_config(broker, overrides)) {
    auto num = [&](int64_t fallback) { return parse_int(e.value).value_or(fallback); };
    if (e.name == "segment.bytes")
      s.segment_bytes = num(s.segment_bytes);
    else if (e.name == "segment.ms")
      s.segment_ms = num(s.segment_ms);
    else if (e.name == "retention.ms")
      s.retention_ms = num(s.retention_ms);
    else if (e.name == "retention.bytes")
      s.retention_bytes = num(s.retention_bytes);
    else if (e.name == "index.interval.bytes")
      s.index_interval_bytes = num(s.index_interval_bytes);
    else if (e.name == "segment.index.bytes")
      s.segment_index_bytes = num(s.segment_index_bytes);
    else if (e.name == "flush.messages")
      s.flush_messages = num(s.flush_messages);
    else if (e.name == "flush.ms")
      s.flush_ms = num(s.flush_ms);
    else if (e.name == "delete.retention.ms")
      s.delete_retention_ms = num(s.delete_retention_ms);
    else if (e.name == "min.compaction.lag.ms")
      s.min_compaction_lag_ms = num(s.min_compaction_lag_ms);
    else if (e.name == "max.message.bytes")
      s.max_message_bytes = num(s.max_message_bytes);
    else if (e.name == "min.insync.replicas")
      s.min_insync_replicas = static_cast<int32_t>(num(1));
    else if (e.name == "file.delete.delay.ms")
      s.file_delete_delay_ms = num(s.file_delete_delay_ms);
    else if (e.name == "message.timestamp.type")
      s.log_append_time = e.value == "LogAppendTime";
    else if (e.name == "unclean.leader.election.enable")
      s.unclean_leader_election = e.value == "true";
    else if (e.name == "cleanup.policy") {
      auto items = split_list(e.value);
      s.compact = std::find(items.begin(), items.end(), "compact") != items.end();
      s.delete_ = std::find(items.begin(), items.end(), "delete") != items.end();
    }
  }
  return s;
}

}  // namespace sluice::broker::config
