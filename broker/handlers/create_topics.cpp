// CreateTopics (key 19): validates each topic with Kafka's rules (broker/cluster/topic_admin),
// writes the assignment and config znodes on the control thread, and waits (up to the
// request's timeout) until the controller has given every partition a leader, so a client
// can produce right after the response. validate_only checks without writing.
#include "protocol/messages/create_topics.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <random>
#include <set>

#include "broker/cluster/metadata.h"
#include "broker/cluster/metadata_sync.h"
#include "broker/cluster/topic_admin.h"
#include "broker/config/broker_config.h"
#include "broker/config/topic_config.h"
#include "broker/handlers/adapter.h"
#include "common/log.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

namespace asio = boost::asio;
using protocol::KafkaErrc;

struct Outcome {
  std::optional<cluster::TopicError> error;
  int32_t partitions = -1;
  int16_t replication_factor = -1;
};

// Runs on the control executor (ZooKeeper). A free coroutine (see docs/conventions.md,
// Coroutines).
asio::awaitable<Outcome> create_one(Services& services, cluster::TopicCreation topic,
                                    bool validate_only) {
  thread_local std::mt19937 rng{std::random_device{}()};
  Outcome out;
  auto snap = services.metadata->current();
  out.error = cluster::prepare_new_topic(topic, *snap, *services.config, rng);
  if (out.error) co_return out;
  out.partitions = static_cast<int32_t>(topic.assignment.size());
  out.replication_factor = static_cast<int16_t>(topic.assignment.begin()->second.size());
  if (validate_only) co_return out;
  out.error = co_await cluster::create_topic(*services.zk, topic);
  services.sync->request_refresh();
  co_return out;
}

bool has_all_leaders(const cluster::Snapshot& snap, const std::string& name) {
  const auto* t = snap.topic(name);
  if (t == nullptr || t->partitions.empty()) return false;
  for (const auto& entry : t->partitions) {
    if (entry.second.leader() < 0) return false;
  }
  return true;
}

// The checks Kafka makes on the request before creating anything: a topic named twice, or a
// config with a null value. Fills `result`'s error and returns false when `t` is refused.
bool passes_request_checks(const protocol::CreatableTopic& t,
                           const std::map<std::string, int>& seen,
                           protocol::CreatableTopicResult& result) {
  if (seen.at(t.name) > 1) {
    result.error_code = protocol::to_wire(KafkaErrc::invalid_request);
    result.error_message =
        "Create topics request from client contains a duplicate topic: " + t.name;
    return false;
  }
  for (const auto& c : t.configs) {
    if (!c.value) {
      result.error_code = protocol::to_wire(KafkaErrc::invalid_config);
      result.error_message = "Null value not supported for topic configs of " + t.name;
      return false;
    }
  }
  return true;
}

// The topic as the topic admin takes it.
cluster::TopicCreation new_topic(const protocol::CreatableTopic& t) {
  cluster::TopicCreation topic;
  topic.name = t.name;
  topic.num_partitions = t.num_partitions;
  topic.replication_factor = t.replication_factor;
  for (const auto& a : t.assignments) topic.assignment[a.partition_index] = a.broker_ids;
  for (const auto& c : t.configs) topic.configs[c.name] = *c.value;
  return topic;
}

// The created topic's effective configuration, with Kafka's config sources (v5+ answer it).
std::vector<protocol::CreatableTopicConfigs> config_entries(
    const config::BrokerConfig& broker, const std::map<std::string, std::string>& overrides) {
  std::vector<protocol::CreatableTopicConfigs> entries;
  for (const auto& e : config::effective_topic_config(broker, overrides)) {
    protocol::CreatableTopicConfigs c;
    c.name = e.name;
    c.value = e.value;
    c.config_source = e.source == config::TopicConfigSource::topic_override  ? 1
                      : e.source == config::TopicConfigSource::broker_config ? 4
                                                                             : 5;
    entries.push_back(std::move(c));
  }
  return entries;
}

}  // namespace

// Waits until pred(snapshot) holds or the deadline passes (20 ms steps; admin requests only).
asio::awaitable<bool> wait_for_metadata(Services& services, std::chrono::milliseconds timeout,
                                        std::function<bool(const cluster::Snapshot&)> pred) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (true) {
    if (pred(*services.metadata->current())) co_return true;
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

namespace {

asio::awaitable<protocol::CreateTopicsResponse> handle_create_topics(
    Services& services, protocol::CreateTopicsRequest request, const RequestContext& ctx) {
  protocol::CreateTopicsResponse response;
  std::map<std::string, int> seen;
  for (const auto& t : request.topics) ++seen[t.name];
  const auto timeout = std::chrono::milliseconds(std::clamp(request.timeout_ms, 0, 60000));
  for (const auto& t : request.topics) {
    protocol::CreatableTopicResult result;
    result.name = t.name;
    if (!passes_request_checks(t, seen, result)) {
      response.topics.push_back(std::move(result));
      continue;
    }
    cluster::TopicCreation topic = new_topic(t);
    const auto configs = topic.configs;
    Outcome outcome = co_await asio::co_spawn(
        services.control, create_one(services, std::move(topic), request.validate_only),
        asio::use_awaitable);
    if (outcome.error) {
      result.error_code = protocol::to_wire(outcome.error->code);
      result.error_message = outcome.error->message;
      response.topics.push_back(std::move(result));
      continue;
    }
    result.num_partitions = outcome.partitions;
    result.replication_factor = outcome.replication_factor;
    result.configs = config_entries(*services.config, configs);
    if (!request.validate_only) {
      const std::string name = t.name;
      bool ready = co_await wait_for_metadata(
          services, timeout,
          [&name](const cluster::Snapshot& s) { return has_all_leaders(s, name); });
      if (ready) {
        if (auto id =
                protocol::Uuid::from_base64(services.metadata->current()->topic(name)->topic_id)) {
          result.topic_id = *id;
        }
      } else if (request.timeout_ms > 0) {
        SLUICE_LOG(info) << "topic " << name << " created; leaders not elected within "
                         << timeout.count() << " ms";
      }
      SLUICE_LOG(info) << "created topic " << name << " with " << outcome.partitions
                       << " partitions, replication factor " << outcome.replication_factor
                       << " (corr=" << ctx.header.correlation_id << ")";
    }
    response.topics.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace

void add_create_topics(Router& router, Services& services) {
  add_api(router, services, protocol::kCreateTopicsApi, &handle_create_topics);
}

}  // namespace sluice::broker::handlers
