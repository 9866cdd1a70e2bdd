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
#include "broker/handlers/handler_util.h"
#include "broker/handlers/router.h"
#include "broker/handlers/services.h"
#include "common/log.h"
#include "coordination/znodes.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

namespace asio = boost::asio;
using protocol::KafkaErrc;

int16_t code(KafkaErrc e) { return static_cast<int16_t>(e); }

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
      mp.error_code = code(KafkaErrc::leader_not_available);
      mp.leader_id = -1;
    }
    out.partitions.push_back(std::move(mp));
  }
}

// Creates `name` with the broker defaults. Runs on the control executor (ZooKeeper).
// A free coroutine, not a lambda handed to co_spawn: GCC 12 destroys such a lambda's
// captures twice.
asio::awaitable<std::optional<cluster::TopicError>> auto_create(
    Services& services, std::string name, std::shared_ptr<const cluster::Snapshot> snap) {
  thread_local std::mt19937 rng{std::random_device{}()};
  cluster::NewTopic topic;
  topic.name = name;
  if (auto e = cluster::prepare_new_topic(topic, *snap, *services.config, rng)) co_return e;
  auto e = co_await cluster::create_topic(*services.zk, topic);
  services.sync->request_refresh();
  co_return e;
}

}  // namespace

void add_metadata(Router& router, Services& services) {
  router.add(
      protocol::kMetadataApi, 0, protocol::kMetadataApi.max_version,
      [&services](const RequestContext& ctx, protocol::ByteWriter& out) -> asio::awaitable<Reply> {
        const int16_t version = ctx.header.api_version;
        protocol::MetadataRequest request;
        protocol::ByteReader reader(ctx.body);
        if (auto st = protocol::decode(request, reader, version); !st) {
          log_bad_request(ctx, st.error());
          co_return Reply::kClose;
        }
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
        } else {
          const bool may_create = services.config->auto_create_topics_enable &&
                                  (version < 4 || request.allow_auto_topic_creation);
          for (const auto& requested : *request.topics) {
            protocol::MetadataResponseTopic t;
            t.name = requested.name;
            t.topic_id = requested.topic_id;
            std::string name = requested.name.value_or("");
            if (!requested.name) {
              // Lookup by id (v10+).
              for (const auto& entry : snap->topics) {
                if (protocol::Uuid::from_base64(entry.second.topic_id) ==
                    std::optional(requested.topic_id)) {
                  name = entry.first;
                }
              }
              if (name.empty()) {
                t.error_code = code(KafkaErrc::unknown_topic_id);
                response.topics.push_back(std::move(t));
                continue;
              }
            }
            if (const auto* info = snap->topic(name)) {
              fill_topic(t, *info, *snap);
              response.topics.push_back(std::move(t));
              continue;
            }
            if (!coordination::znodes::validate_topic_name(name).ok()) {
              t.error_code = code(KafkaErrc::invalid_topic_exception);
            } else if (!may_create) {
              t.error_code = code(KafkaErrc::unknown_topic_or_partition);
            } else {
              auto failure = co_await asio::co_spawn(
                  services.control, auto_create(services, name, snap), asio::use_awaitable);
              if (failure && failure->code != code(KafkaErrc::topic_already_exists)) {
                SLUICE_LOG(warning) << "auto-creating topic " << name << ": " << failure->message;
                t.error_code = failure->code == code(KafkaErrc::invalid_replication_factor)
                                   ? code(KafkaErrc::invalid_replication_factor)
                                   : code(KafkaErrc::unknown_topic_or_partition);
              } else {
                SLUICE_LOG(info) << "auto-created topic " << name
                                 << " (corr=" << ctx.header.correlation_id << ")";
                t.error_code = code(KafkaErrc::leader_not_available);
              }
            }
            response.topics.push_back(std::move(t));
          }
        }
        protocol::encode(response, out, version);
        co_return Reply::kSend;
      });
}

}  // namespace sluice::broker::handlers
