// Topic override changes for AlterConfigs and IncrementalAlterConfigs (see config_changes.h).
#include "broker/handlers/config_changes.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "broker/cluster/metadata.h"
#include "broker/cluster/metadata_sync.h"
#include "broker/handlers/handler_util.h"
#include "common/log.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

namespace asio = boost::asio;
using protocol::KafkaErrc;

// Runs on the control executor (ZooKeeper). A free coroutine, not a lambda handed to
// co_spawn (see docs/conventions.md, Coroutines).
asio::awaitable<cluster::TopicConfigAltered> alter_on_control(Services& services, std::string topic,
                                                              cluster::TopicConfigChange change,
                                                              bool validate_only) {
  auto altered =
      co_await cluster::alter_topic_config(*services.zk, topic, std::move(change), validate_only);
  if (!altered.error && !validate_only) services.sync->request_refresh();
  co_return altered;
}

}  // namespace

asio::awaitable<ConfigResourceOutcome> alter_topic_overrides(Services& services, std::string topic,
                                                             cluster::TopicConfigChange change,
                                                             bool validate_only) {
  ConfigResourceOutcome out;
  auto altered = co_await asio::co_spawn(
      services.control, alter_on_control(services, topic, std::move(change), validate_only),
      asio::use_awaitable);
  if (altered.error) {
    out.error = altered.error->code;
    out.error_message = altered.error->message;
    co_return out;
  }
  if (validate_only) co_return out;
  SLUICE_LOG(info) << "topic " << topic << ": configuration overrides now "
                   << altered.overrides.size() << " key(s)";
  const config::TopicOverrides wanted = altered.overrides;
  const std::string name = topic;
  const auto timeout = std::chrono::milliseconds(5000);
  // Named, not a converted temporary (see docs/conventions.md, Coroutines).
  std::function<bool(const cluster::Snapshot&)> applied = [&name,
                                                           &wanted](const cluster::Snapshot& s) {
    const auto* info = s.topic(name);
    return info == nullptr || info->config == wanted;  // a deleted topic has nothing to wait for
  };
  co_await wait_for_metadata(services, timeout, std::move(applied));
  co_return out;
}

ConfigResourceOutcome refuse_broker_config_change(const std::vector<std::string>& names) {
  ConfigResourceOutcome out;
  if (names.empty()) return out;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  out.error = KafkaErrc::invalid_config;
  out.error_message = "Cannot update these configs dynamically: " + list +
                      " (Sluice has no dynamic broker configs: set them in server.properties, "
                      "SLUICE_* variables or --override, and restart the broker)";
  return out;
}

ConfigResourceOutcome refuse_resource_type(int8_t resource_type) {
  ConfigResourceOutcome out;
  out.error = KafkaErrc::invalid_request;
  out.error_message = "Unsupported resource type " + std::to_string(resource_type) +
                      " (only topics (2) have alterable configs)";
  return out;
}

}  // namespace sluice::broker::handlers
