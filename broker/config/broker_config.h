// Broker configuration: Kafka's server.properties key names, each overridable by an
// environment variable (SLUICE_ + upper-case key with '_' for '.', e.g. SLUICE_BROKER_ID)
// and by command-line overrides (key=value), in that order of precedence:
//   defaults < properties file < environment < command line.
// Every key is declared once in the table behind config_keys() (name, type, default,
// range, doc); unknown keys and invalid values are errors naming the key.
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

enum class ConfigType { int32, int64, boolean, string, list, float64 };
// The order matches Kafka's DescribeConfigs ConfigSource values where they exist.
enum class ConfigSource { default_config, file, environment, command_line };

struct ConfigKey {
  std::string_view name;
  ConfigType type;
  // nullptr: no default (null), the key is optional unless `required`.
  const char* default_value;
  bool required = false;
  int64_t min = INT64_MIN;
  int64_t max = INT64_MAX;
  std::string_view doc;
  // The per-topic key this broker key is the default for (e.g. "retention.ms"), or empty.
  std::string_view topic_key = {};
};

std::span<const ConfigKey> config_keys();
const ConfigKey* find_key(std::string_view name);
// "broker.id" -> "SLUICE_BROKER_ID"
std::string env_name(std::string_view key);

struct Endpoint {
  std::string listener_name;  // e.g. PLAINTEXT
  std::string host;           // may be empty: all interfaces (listeners) / hostname (advertised)
  uint16_t port = 0;
  std::string security_protocol;  // from listener.security.protocol.map
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// Parses "NAME://host:port,..." (IPv6 hosts in brackets).
Result<std::vector<Endpoint>> parse_endpoints(
    std::string_view key, std::string_view value,
    const std::map<std::string, std::string>& protocol_map);

// Parses Java .properties text: key=value, key:value or key value; '#'/'!' comments;
// backslash line continuations and escapes.
Result<std::map<std::string, std::string>> parse_properties(std::string_view text);

class BrokerConfig {
 public:
  struct Inputs {
    std::optional<std::string> file;       // path to server.properties
    std::vector<std::string> environment;  // "NAME=value" entries (environ)
    std::vector<std::string> overrides;    // "key=value" from the command line
  };
  static Result<BrokerConfig> load(const Inputs& inputs);

  // Typed view of the keys the broker uses directly.
  int32_t broker_id = -1;
  std::string zookeeper_connect;
  int32_t zookeeper_session_timeout_ms = 18000;
  int32_t zookeeper_connection_timeout_ms = 18000;
  std::vector<Endpoint> listeners;
  std::vector<Endpoint> advertised_listeners;
  std::string inter_broker_listener_name;
  std::optional<std::string> broker_rack;
  std::vector<std::string> log_dirs;
  int32_t num_partitions = 1;
  int16_t default_replication_factor = 1;
  int32_t min_insync_replicas = 1;
  bool auto_create_topics_enable = true;
  bool delete_topic_enable = true;
  int32_t message_max_bytes = 1048588;
  int32_t socket_request_max_bytes = 104857600;
  int32_t num_network_threads = 3;
  int32_t num_io_threads = 8;
  int64_t log_retention_ms = 7LL * 24 * 3600 * 1000;  // resolved from .ms/.minutes/.hours
  int64_t log_roll_ms = 7LL * 24 * 3600 * 1000;       // resolved from .ms/.hours
  int64_t replica_lag_time_max_ms = 30000;
  bool unclean_leader_election_enable = false;
  bool auto_leader_rebalance_enable = true;

  // Raw values after precedence, for every key that has a value (defaults included).
  const std::map<std::string, std::string>& values() const { return values_; }
  std::optional<std::string> value(std::string_view key) const;
  ConfigSource source(std::string_view key) const;
  int64_t get_long(std::string_view key) const;  // REQUIRES: a numeric key with a value
  bool get_bool(std::string_view key) const;

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, ConfigSource> sources_;
};

}  // namespace sluice::broker::config
