// IncrementalAlterConfigs (key 44, KIP-339): SET/DELETE/APPEND/SUBTRACT single keys of a
// topic's overrides (/config/topics/<t>), leaving the other keys alone; a concurrent change
// of the same topic is re-read and the operations applied again (CAS on the znode version).
// Broker resources are refused (no dynamic broker configs), broker loggers (8) too.
#include "protocol/messages/incremental_alter_configs.h"

#include "broker/config/config_alteration.h"
#include "broker/handlers/adapter.h"
#include "broker/handlers/config_changes.h"
#include "protocol/messages/describe_configs.h"

namespace sluice::broker::handlers {

namespace {

boost::asio::awaitable<protocol::IncrementalAlterConfigsResponse> handle_incremental_alter_configs(
    Services& services, protocol::IncrementalAlterConfigsRequest request,
    const RequestContext& /*ctx*/) {
  protocol::IncrementalAlterConfigsResponse response;
  const config::BrokerConfig* broker = services.config;
  for (const auto& r : request.resources) {
    ConfigResourceOutcome outcome;
    if (r.resource_type == protocol::kResourceTopic) {
      std::vector<config::ConfigOp> ops;
      for (const auto& c : r.configs)
        ops.push_back(config::ConfigOp{c.name, c.config_operation, c.value});
      cluster::TopicConfigChange change = [broker, ops](const config::TopicOverrides& current) {
        return config::apply_topic_config_ops(*broker, current, ops);
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
    protocol::IncrementalAlterConfigsResourceResponse result;
    result.error_code = protocol::to_wire(outcome.error);
    result.error_message = outcome.error_message;
    result.resource_type = r.resource_type;
    result.resource_name = r.resource_name;
    response.responses.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace

void add_incremental_alter_configs(Router& router, Services& services) {
  add_api(router, services, protocol::kIncrementalAlterConfigsApi,
          &handle_incremental_alter_configs);
}

}  // namespace sluice::broker::handlers
