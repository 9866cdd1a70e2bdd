// DescribeConfigs (key 32): a topic's effective configuration (its overrides from
// /config/topics over the broker's defaults, with Kafka's config sources), or this broker's
// configuration (read-only: it comes from server.properties, SLUICE_* or flags).
#include "protocol/messages/describe_configs.h"

#include <algorithm>

#include "broker/cluster/metadata.h"
#include "broker/config/broker_config.h"
#include "broker/config/topic_config.h"
#include "broker/handlers/adapter.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

using protocol::KafkaErrc;

// Kafka's ConfigSource values.
constexpr int8_t kDynamicTopicConfig = 1;
constexpr int8_t kStaticBrokerConfig = 4;
constexpr int8_t kDefaultConfig = 5;

bool wanted(const protocol::DescribeConfigsResource& r, const std::string& name) {
  if (!r.configuration_keys || r.configuration_keys->empty()) return true;
  return std::find(r.configuration_keys->begin(), r.configuration_keys->end(), name) !=
         r.configuration_keys->end();
}

int8_t type_of(config::ConfigType t) {
  // Kafka's ConfigType: 1 boolean, 2 string, 3 int, 5 long, 6 double, 7 list.
  switch (t) {
    case config::ConfigType::boolean:
      return 1;
    case config::ConfigType::string:
      return 2;
    case config::ConfigType::int32:
      return 3;
    case config::ConfigType::int64:
      return 5;
    case config::ConfigType::float64:
      return 6;
    case config::ConfigType::list:
      return 7;
  }
  return 0;
}

void describe_topic(const protocol::DescribeConfigsRequest& req,
                    const protocol::DescribeConfigsResource& r, const Services& services,
                    protocol::DescribeConfigsResult& out) {
  auto snap = services.metadata->current();
  const auto* topic = snap->topic(r.resource_name);
  if (topic == nullptr) {
    out.error_code = protocol::to_wire(KafkaErrc::unknown_topic_or_partition);
    out.error_message = "Topic " + r.resource_name + " does not exist.";
    return;
  }
  for (const auto& e : config::effective_topic_config(*services.config, topic->config)) {
    if (!wanted(r, e.name)) continue;
    protocol::DescribeConfigsResourceResult c;
    c.name = e.name;
    c.value = e.value;
    c.config_source = e.source == config::TopicConfigSource::topic_override  ? kDynamicTopicConfig
                      : e.source == config::TopicConfigSource::broker_config ? kStaticBrokerConfig
                                                                             : kDefaultConfig;
    c.is_default = e.source == config::TopicConfigSource::default_config;
    if (req.include_synonyms) c.synonyms.push_back({{}, e.name, e.value, c.config_source});
    out.configs.push_back(std::move(c));
  }
}

void describe_broker(const protocol::DescribeConfigsRequest& req,
                     const protocol::DescribeConfigsResource& r, const Services& services,
                     protocol::DescribeConfigsResult& out) {
  if (r.resource_name != std::to_string(services.broker_id)) {
    out.error_code = protocol::to_wire(KafkaErrc::invalid_request);
    out.error_message = "This is broker " + std::to_string(services.broker_id) + "; ask broker " +
                        r.resource_name + " for its configuration.";
    return;
  }
  for (const auto& key : config::config_keys()) {
    std::string name(key.name);
    if (!wanted(r, name)) continue;
    protocol::DescribeConfigsResourceResult c;
    c.name = name;
    c.value = services.config->value(name);
    c.read_only = true;
    const bool is_default = services.config->source(name) == config::ConfigSource::default_config;
    c.config_source = is_default ? kDefaultConfig : kStaticBrokerConfig;
    c.is_default = is_default;
    c.config_type = type_of(key.type);
    if (req.include_documentation) c.documentation = std::string(key.doc);
    if (req.include_synonyms && c.value) c.synonyms.push_back({{}, name, c.value, c.config_source});
    out.configs.push_back(std::move(c));
  }
}

boost::asio::awaitable<protocol::DescribeConfigsResponse> handle_describe_configs(
    Services& services, protocol::DescribeConfigsRequest request, const RequestContext& /*ctx*/) {
  protocol::DescribeConfigsResponse response;
  for (const auto& r : request.resources) {
    protocol::DescribeConfigsResult result;
    result.resource_type = r.resource_type;
    result.resource_name = r.resource_name;
    if (r.resource_type == protocol::kResourceTopic) {
      describe_topic(request, r, services, result);
    } else if (r.resource_type == protocol::kResourceBroker) {
      describe_broker(request, r, services, result);
    } else {
      result.error_code = protocol::to_wire(KafkaErrc::invalid_request);
      result.error_message = "Unsupported resource type " + std::to_string(r.resource_type);
    }
    response.results.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace

void add_describe_configs(Router& router, Services& services) {
  add_api(router, services, protocol::kDescribeConfigsApi, &handle_describe_configs);
}

}  // namespace sluice::broker::handlers
