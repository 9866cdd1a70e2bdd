// AlterConfigs (key 33): replaces a topic's whole override set (/config/topics/<t>) with the
// given entries; keys not named revert to their defaults. Every broker watches that znode, so
// the change reaches the logs and the replica manager everywhere without a restart. Broker
// resources are refused: Sluice has no dynamic broker configs.
#include "protocol/messages/alter_configs.h"

#include "broker/config/config_alteration.h"
#include "broker/handlers/adapter.h"
#include "broker/handlers/config_changes.h"
#include "protocol/messages/describe_configs.h"

namespace sluice::broker::handlers {

namespace {

boost::asio::awaitable<protocol::AlterConfigsResponse> handle_alter_configs(
    Services& services, protocol::AlterConfigsRequest request, const RequestContext& /*ctx*/) {
  protocol::AlterConfigsResponse response;
  for (const auto& r : request.resources) {
    ConfigResourceOutcome outcome;
    if (r.resource_type == protocol::kResourceTopic) {
      std::vector<config::ConfigEntry> entries;
      for (const auto& c : r.configs) entries.push_back(config::ConfigEntry{c.name, c.value});
      cluster::TopicConfigChange change = [entries](const config::TopicOverrides&) {
        return config::replace_topic_overrides(entries);
      };
      const std::string topic = r.resource_name;
      outcome =
          co_await alter_topic_overrides(services, topic, std::move(change), request.validate_only);
    } else if (r.resource_type == protocol::kResourceBroker) {
      std::vector<std::string> names;
      for (const auto& c : r.configs) names.push_back(c.name);
      outcome = refuse_broker_config_change(names);
    } else {
      outcome = refuse_resource_type(r.resource_type);
    }
    protocol::AlterConfigsResourceResponse result;
    result.error_code = protocol::to_wire(outcome.error);
    result.error_message = outcome.error_message;
    result.resource_type = r.resource_type;
    result.resource_name = r.resource_name;
    response.responses.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace

void add_alter_configs(Router& router, Services& services) {
  add_api(router, services, protocol::kAlterConfigsApi, &handle_alter_configs);
}

}  // namespace sluice::broker::handlers
