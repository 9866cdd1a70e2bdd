// What AlterConfigs (alter_configs.cpp) and IncrementalAlterConfigs
// (incremental_alter_configs.cpp) share: changing one topic's overrides in ZooKeeper, and the
// answer for broker resources (Sluice has no dynamic broker configs). Internal to
// broker/handlers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/cluster/topic_admin.h"
#include "broker/handlers/services.h"
#include "common/awaitable.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {

// One resource's answer.
struct ConfigResourceOutcome {
  protocol::KafkaErrc error = protocol::KafkaErrc::none;
  std::optional<std::string> error_message;
};

// Applies `change` to /config/topics/<topic> (on the control executor) and, unless
// validate_only, waits (up to a few seconds) until this broker's metadata shows the new
// overrides, so a DescribeConfigs right after sees them. Call from a network thread.
boost::asio::awaitable<ConfigResourceOutcome> alter_topic_overrides(
    Services& services, std::string topic, cluster::TopicConfigChange change, bool validate_only);

// A broker resource (type 4): nothing can change dynamically. INVALID_CONFIG naming the keys
// (Kafka's answer for read-only broker configs); success when `names` is empty.
ConfigResourceOutcome refuse_broker_config_change(const std::vector<std::string>& names);

// Any resource type other than topics and brokers: INVALID_REQUEST.
ConfigResourceOutcome refuse_resource_type(int8_t resource_type);

}  // namespace sluice::broker::handlers
