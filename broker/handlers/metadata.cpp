// Metadata (key 3): answered from the broker's ZooKeeper-synced snapshot. Brokers are listed
// with their endpoint on the listener the request arrived on (as Kafka does); unknown topics
// are auto-created (auto.create.topics.enable and, from v4, the request's flag) through the
// same path as CreateTopics and reported LEADER_NOT_AVAILABLE until the controller elects a
// leader, which is what clients expect and retry on.
#include "protocol/messages/metadata.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "broker/cluster/metadata.h"
#include "broker/cluster/metadata_sync.h"
#include "broker/cluster/topic_admin.h"
#include "broker/config/broker_config.h"
#include "broker/handlers/adapter.h"
#include "common/log.h"
#include "coordination/znodes.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

namespace asio = boost::asio;
using protocol::KafkaErrc;

void fill_topic(protocol::MetadataResponseTopic& out, const cluster::TopicInfo& topic,
                const cluster::Snapshot& snap) {
  out.name = topic.name;
  if (auto id = protocol::Uuid::from_base64(topic.topic_id)) out.topic_id = *id;
  for (const auto& [index, p] : topic.partitions) {
    protocol::MetadataResponsePartition mp;
    mp.partition_index = index;
    mp.replica_nodes = p.replicas;
    mp.leader_id = p.leader();
    mp.leader_epoch = p.leader_epoch();
    if (p.state) mp.isr_nodes = p.state->isr;
    for (int32_t r : p.replicas) {
      if (!snap.is_live(r)) mp.offline_replicas.push_back(r);
    }
    if (mp.leader_id < 0 || !snap.is_live(mp.leader_id)) {
      mp.error_code = protocol::to_wire(KafkaErrc::leader_not_available);
      mp.leader_id = -1;
    }
    out.partitions.push_back(std::move(mp));
  }
}

// Creates `name` with the broker defaults. Runs on the control executor (ZooKeeper). A free
// coroutine, not a lambda handed to co_spawn (see docs/conventions.md, Coroutines).
asio::awaitable<std::optional<cluster::TopicError>> auto_create(
    Services& services, std::string name, std::shared_ptr<const cluster::Snapshot> snap) {
  thread_local std::mt19937 rng{std::random_device{}()};
  cluster::TopicCreation topic;
  topic.name = name;
  if (auto e = cluster::prepare_new_topic(topic, *snap, *services.config, rng)) co_return e;
  auto e = co_await cluster::create_topic(*services.zk, topic);
  services.sync->request_refresh();
  co_return e;
}

// What a client is told about a topic auto-creation failed to create: an invalid replication
// factor as such (the broker's default does not fit the live brokers), anything else as an
// unknown topic.
KafkaErrc to_kafka_error(const cluster::TopicError& failure) {
  return failure.code == KafkaErrc::invalid_replication_factor
             ? KafkaErrc::invalid_replication_factor
             : KafkaErrc::unknown_topic_or_partition;
}

// The name of the topic with id `topic_id` (requests by id, v10+), or "" when none has it.
std::string name_of_id(const cluster::Snapshot& snap, const protocol::Uuid& topic_id) {
  std::string name;
  for (const auto& entry : snap.topics) {
    if (protocol::Uuid::from_base64(entry.second.topic_id) == std::optional(topic_id)) {
      name = entry.first;
    }
  }
  return name;
}

// The answer for a requested topic this broker's metadata does not have: an invalid name, an
// unknown topic when auto-creation is off, else the outcome of creating it (clients retry
// LEADER_NOT_AVAILABLE until the controller has elected its leaders).
asio::awaitable<KafkaErrc> missing_topic(Services& services, std::string name,
                                         std::shared_ptr<const cluster::Snapshot> snap,
                                         bool may_create, int32_t correlation_id) {
  if (!coordination::znodes::validate_topic_name(name).ok()) {
    co_return KafkaErrc::invalid_topic_exception;
  }
  if (!may_create) co_return KafkaErrc::unknown_topic_or_partition;
  auto failure = co_await asio::co_spawn(services.control, auto_create(services, name, snap),
                                         asio::use_awaitable);
  if (failure && failure->code != KafkaErrc::topic_already_exists) {
    SLUICE_LOG(warning) << "auto-creating topic " << name << ": " << failure->message;
    co_return to_kafka_error(*failure);
  }
  SLUICE_LOG(info) << "auto-created topic " << name << " (corr=" << correlation_id << ")";
  co_return KafkaErrc::leader_not_available;
}

asio::awaitable<protocol::MetadataResponse> handle_metadata(Services& services,
                                                            protocol::MetadataRequest request,
                                                            const RequestContext& ctx) {
  const int16_t version = ctx.header.api_version;
  auto snap = services.metadata->current();
  protocol::MetadataResponse response;
  response.cluster_id = snap->cluster_id;
  response.controller_id = snap->controller_id;
  auto listed_brokers = brokers_on_listener(*snap, ctx.listener);
  for (auto& listed : listed_brokers) {
    response.brokers.push_back({.node_id = listed.id,
                                .host = std::move(listed.host),
                                .port = listed.port,
                                .rack = std::move(listed.rack)});
  }

  // v0: an empty list means all topics; v1+: null means all.
  const bool all = !request.topics.has_value() || (version == 0 && request.topics->empty());
  if (all) {
    for (const auto& entry : snap->topics) {
      protocol::MetadataResponseTopic t;
      fill_topic(t, entry.second, *snap);
      response.topics.push_back(std::move(t));
    }
    co_return response;
  }
  const bool may_create = services.config->auto_create_topics_enable &&
                          (version < 4 || request.allow_auto_topic_creation);
  for (const auto& requested : *request.topics) {
    protocol::MetadataResponseTopic t;
    t.name = requested.name;
    t.topic_id = requested.topic_id;
    std::string name = requested.name.value_or("");
    if (!requested.name) name = name_of_id(*snap, requested.topic_id);
    if (!requested.name && name.empty()) {
      t.error_code = protocol::to_wire(KafkaErrc::unknown_topic_id);
    } else if (const auto* info = snap->topic(name)) {
      fill_topic(t, *info, *snap);
    } else {
      KafkaErrc error =
          co_await missing_topic(services, name, snap, may_create, ctx.header.correlation_id);
      t.error_code = protocol::to_wire(error);
    }
    response.topics.push_back(std::move(t));
  }
  co_return response;
}

}  // namespace

void add_metadata(Router& router, Services& services) {
  add_api(router, services, protocol::kMetadataApi, &handle_metadata);
}

}  // namespace sluice::broker::handlers
