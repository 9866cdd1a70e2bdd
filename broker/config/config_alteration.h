// How AlterConfigs and IncrementalAlterConfigs change a topic's override set (the content of
// /config/topics/<t>): the new set is computed here, without I/O, and validated key by key
// with topic_config.h, so the handlers only read, CAS-write and report.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

namespace sluice::broker::config {

class BrokerConfig;

using TopicOverrides = std::map<std::string, std::string>;

// Why an alteration is refused; the handler maps kind to INVALID_CONFIG / INVALID_REQUEST.
struct AlterError {
  enum class Kind { invalid_config, invalid_request } kind;
  std::string message;
};

// Either the new override set or the reason it was refused.
struct AlterOutcome {
  TopicOverrides overrides;
  std::optional<AlterError> error;
  bool ok() const { return !error.has_value(); }
};

// One entry of an AlterConfigs resource. A null value is refused (INVALID_REQUEST), as Kafka
// does.
struct ConfigEntry {
  std::string name;
  std::optional<std::string> value;
};

// AlterConfigs: the new override set is exactly `entries` (every key not named reverts to
// its default). Unknown keys and bad values: kInvalidConfig; a key named twice:
// kInvalidRequest.
AlterOutcome replace_topic_overrides(std::span<const ConfigEntry> entries);

// Kafka's AlterConfigOp.OpType.
enum class ConfigOpType : int8_t { set = 0, remove = 1, append = 2, subtract = 3 };

struct ConfigOp {
  std::string name;
  int8_t op = 0;  // a ConfigOpType value as it came off the wire
  std::optional<std::string> value;
};

// IncrementalAlterConfigs on `current` (the topic's overrides):
//  - SET replaces the key's override; DELETE removes it (a key without override is fine);
//  - APPEND/SUBTRACT (list keys only, e.g. cleanup.policy) add the missing / remove the given
//    comma-separated items of the key's effective value (its override, else the broker
//    default from `broker`);
// then every resulting override is validated. Unknown keys, bad values, APPEND/SUBTRACT on
// a non-list key: kInvalidConfig. An unknown operation, a key named twice, a null value for
// SET/APPEND/SUBTRACT: kInvalidRequest.
AlterOutcome apply_topic_config_ops(const BrokerConfig& broker, const TopicOverrides& current,
                                    std::span<const ConfigOp> ops);

}  // namespace sluice::broker::config
