// Override-set changes of AlterConfigs (replace) and IncrementalAlterConfigs (per-key ops).
#include "broker/config/config_alteration.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <vector>

#include "broker/config/topic_config.h"

namespace sluice::broker::config {
namespace {

AlterOutcome refuse(AlterError::Kind kind, std::string message) {
  AlterOutcome out;
  out.error = AlterError{kind, std::move(message)};
  return out;
}

// Items of a list value, trimmed, empty ones dropped (as Kafka's list parsing does).
std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

std::string effective_value(const BrokerConfig& broker, const TopicOverrides& overrides,
                            const std::string& name) {
  for (const auto& e : effective_topic_config(broker, overrides)) {
    if (e.name == name) return e.value;
  }
  return {};
}

// Every override must be a known key with a valid value.
std::optional<AlterError> validate_all(const TopicOverrides& overrides) {
  for (const auto& entry : overrides) {
    if (Status st = validate_topic_config(entry.first, entry.second); !st) {
      return AlterError{AlterError::Kind::invalid_config, st.error().context()};
    }
  }
  return std::nullopt;
}

}  // namespace

AlterOutcome replace_topic_overrides(std::span<const ConfigEntry> entries) {
  AlterOutcome out;
  for (const auto& e : entries) {
    if (!e.value) {
      return refuse(AlterError::Kind::invalid_request, "Null value not supported for : " + e.name);
    }
    if (!out.overrides.emplace(e.name, *e.value).second) {
      return refuse(AlterError::Kind::invalid_request,
                    "Error due to duplicate config keys: " + e.name);
    }
  }
  if (auto error = validate_all(out.overrides)) out.error = std::move(error);
  return out;
}

AlterOutcome apply_topic_config_ops(const BrokerConfig& broker, const TopicOverrides& current,
                                    std::span<const ConfigOp> ops) {
  std::set<std::string> seen;
  for (const auto& op : ops) {
    if (!seen.insert(op.name).second) {
      return refuse(AlterError::Kind::invalid_request,
                    "Error due to duplicate config keys: " + op.name);
    }
    if (op.op < 0 || op.op > static_cast<int8_t>(ConfigOpType::subtract)) {
      return refuse(AlterError::Kind::invalid_request,
                    "Unknown config operation " + std::to_string(op.op) + " for " + op.name);
    }
    if (static_cast<ConfigOpType>(op.op) != ConfigOpType::remove && !op.value) {
      return refuse(AlterError::Kind::invalid_request, "Null value not supported for : " + op.name);
    }
  }

  AlterOutcome out;
  out.overrides = current;
  for (const auto& op : ops) {
    const auto type = static_cast<ConfigOpType>(op.op);
    if (type == ConfigOpType::set) {
      out.overrides[op.name] = *op.value;
      continue;
    }
    if (type == ConfigOpType::remove) {
      out.overrides.erase(op.name);
      continue;
    }
    const TopicConfigKey* key = find_topic_key(op.name);
    if (key == nullptr) {
      return refuse(AlterError::Kind::invalid_config, "unknown topic config '" + op.name + "'");
    }
    const bool append = type == ConfigOpType::append;
    if (key->type != TopicConfigKey::Type::list) {
      return refuse(AlterError::Kind::invalid_config,
                    std::string("Config value ") + (append ? "append" : "subtract") +
                        " is not allowed for config key: " + op.name);
    }
    auto items = split_list(effective_value(broker, out.overrides, op.name));
    const auto given = split_list(*op.value);
    for (const auto& item : given) {
      const auto at = std::find(items.begin(), items.end(), item);
      if (append && at == items.end()) items.push_back(item);
      if (!append && at != items.end()) items.erase(at);
    }
    out.overrides[op.name] = join_list(items);
  }
  if (auto error = validate_all(out.overrides)) out.error = std::move(error);
  return out;
}

}  // namespace sluice::broker::config
