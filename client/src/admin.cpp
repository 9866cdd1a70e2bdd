// Admin: each operation is one coroutine on the client's runtime that picks the broker the API
// must go to (controller, coordinator, leader, any), sends, and retries what is retriable until
// its deadline. Per-item Kafka errors become Error values in the item's status.
#include "sluice/admin.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "client/src/cluster.h"
#include "client/src/event.h"
#include "client/src/runtime.h"
#include "protocol/error_codes.h"
#include "protocol/group_protocol.h"
#include "protocol/messages/alter_configs.h"
#include "protocol/messages/create_partitions.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_groups.h"
#include "protocol/messages/delete_topics.h"
#include "protocol/messages/describe_cluster.h"
#include "protocol/messages/describe_configs.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/list_offsets.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_fetch.h"

namespace sluice::client {

namespace proto = sluice::protocol;
using detail::Cluster;
using detail::Connection;
using Clock = std::chrono::steady_clock;

const char* to_string(ConfigSource source) {
  switch (source) {
    case ConfigSource::unknown:
      return "UNKNOWN";
    case ConfigSource::dynamic_topic:
      return "DYNAMIC_TOPIC_CONFIG";
    case ConfigSource::dynamic_broker:
      return "DYNAMIC_BROKER_CONFIG";
    case ConfigSource::dynamic_default_broker:
      return "DYNAMIC_DEFAULT_BROKER_CONFIG";
    case ConfigSource::static_broker:
      return "STATIC_BROKER_CONFIG";
    case ConfigSource::default_config:
      return "DEFAULT_CONFIG";
    case ConfigSource::dynamic_broker_logger:
      return "DYNAMIC_BROKER_LOGGER_CONFIG";
  }
  return "UNKNOWN";
}

namespace {

// The Error for a Kafka error code in a response: the code, what it concerns, and the
// broker's message when it sent one.
Error kafka_error(int16_t code, const std::optional<std::string>& message,
                  const std::string& what) {
  std::string context = what;
  if (message && !message->empty()) context += ": " + *message;
  return Error(proto::make_error_code(static_cast<KafkaErrc>(code)), std::move(context));
}

// Kafka codes after which the same request may succeed once metadata or the coordinator is
// re-read.
bool retriable_code(int16_t code) {
  switch (static_cast<KafkaErrc>(code)) {
    case KafkaErrc::not_controller:
    case KafkaErrc::coordinator_not_available:
    case KafkaErrc::not_coordinator:
    case KafkaErrc::coordinator_load_in_progress:
    case KafkaErrc::leader_not_available:
    case KafkaErrc::not_leader_or_follower:
    case KafkaErrc::broker_not_available:
    case KafkaErrc::fenced_leader_epoch:
    case KafkaErrc::unknown_leader_epoch:
    case KafkaErrc::rebalance_in_progress:
      return true;
    default:
      return false;
  }
}

bool is_coordinator_code(int16_t code) {
  auto e = static_cast<KafkaErrc>(code);
  return e == KafkaErrc::coordinator_not_available || e == KafkaErrc::not_coordinator ||
         e == KafkaErrc::coordinator_load_in_progress;
}

// A failure of the request as a whole that a later attempt may not see.
bool retriable_transport(const Error& e) {
  if (e == ClientErrc::closed || e == ClientErrc::unsupported_version ||
      e == ClientErrc::invalid_argument || e == ClientErrc::protocol_error ||
      e == ClientErrc::invalid_config) {
    return false;
  }
  return e == ClientErrc::no_brokers || client::is_retriable(e);
}

std::string uuid_text(const proto::Uuid& id) {
  return id.is_zero() ? std::string() : id.to_base64();
}

std::vector<TopicPartition> to_partitions(const std::vector<proto::TopicPartitions>& in) {
  std::vector<TopicPartition> out;
  for (const auto& t : in) {
    for (int32_t p : t.partitions) out.push_back({t.topic, p});
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string resource_text(const ConfigResource& r) {
  return (r.type == ConfigResource::Type::topic ? "topic " : "broker ") + r.name;
}

// The time an operation may take and the pause between its attempts.
class Attempts {
 public:
  Attempts(const ClientConfig& config, std::optional<Millis> timeout)
      : deadline_(Clock::now() + timeout.value_or(config.request_timeout)),
        backoff_(config.retry_backoff) {}

  bool expired() const { return Clock::now() >= deadline_; }
  Millis remaining() const {
    auto left = std::chrono::duration_cast<Millis>(deadline_ - Clock::now());
    return left.count() > 0 ? left : Millis(0);
  }
  // The broker-side timeout to put in a request (CreateTopics, ...): what is left, at least 1s.
  int32_t request_timeout_ms() const {
    return static_cast<int32_t>(std::max<int64_t>(1000, remaining().count()));
  }
  // Sleeps retry.backoff.ms (less if the deadline is closer); false when there is no time
  // left for another attempt.
  awaitable<bool> backoff() {
    if (expired()) co_return false;
    Millis pause = std::min(backoff_, remaining());
    co_await detail::sleep_for(pause);
    co_return !expired();
  }

 private:
  Clock::time_point deadline_;
  Millis backoff_;
};

enum class Route { any, controller, node, coordinator };

// Where a request goes. Coroutines take it by value: pass a named object, never a braced
// temporary (GCC 12 destroys such temporaries twice when they are copied into a frame).
struct Target {
  Route route = Route::any;
  int32_t node = -1;  // Route::node
  std::string group;  // Route::coordinator
};

}  // namespace

// ---- the state every operation shares -------------------------------------------------------

struct AdminState {
  AdminState(boost::asio::any_io_executor ex, AdminConfig c)
      : config(c), cluster(std::move(ex), std::move(c)) {}
  AdminConfig config;
  Cluster cluster;
};

namespace admin_ops {
namespace {

using State = std::shared_ptr<AdminState>;

awaitable<Result<std::shared_ptr<Connection>>> connect(State s, Target target) {
  switch (target.route) {
    case Route::any:
      co_return co_await s->cluster.any_broker();
    case Route::controller:
      co_return co_await s->cluster.controller();
    case Route::node:
      co_return co_await s->cluster.broker(target.node);
    case Route::coordinator:
      co_return co_await s->cluster.coordinator(target.group, 0);
  }
  co_return Error(make_error_code(ClientErrc::invalid_argument), "bad route");
}

// What to re-read before retrying a request that went to `target`.
awaitable<void> forget_route(State s, Target target) {
  if (target.route == Route::coordinator) {
    s->cluster.invalidate_coordinator(target.group, 0);
  } else {
    std::vector<std::string> none;
    (void)co_await s->cluster.refresh(none);
  }
}

// Sends `request` to `target`, retrying failures of the request as a whole (no connection,
// a lost connection, no controller or coordinator known yet) until `attempts` runs out.
// Kafka error codes inside the response are the caller's to read.
template <class Resp, class Req>
awaitable<Result<Resp>> send(State s, Attempts& attempts, Target target,
                             const proto::ApiDescriptor& api, Req request, int16_t min_version = 0,
                             int16_t max_version = INT16_MAX, bool retry = true) {
  for (;;) {
    auto conn = co_await connect(s, target);
    if (conn) {
      auto response = co_await s->cluster.call<Resp>(*conn, api, request, min_version, max_version);
      if (response) co_return std::move(response->body);
      if (!retry || !retriable_transport(response.error())) co_return std::move(response).error();
      if (!co_await attempts.backoff()) co_return std::move(response).error();
    } else {
      if (!retry || !retriable_transport(conn.error())) co_return std::move(conn).error();
      if (!co_await attempts.backoff()) co_return std::move(conn).error();
    }
    co_await forget_route(s, target);
  }
}

// ---- topics ---------------------------------------------------------------------------------

awaitable<Result<std::vector<CreateTopicResult>>> create_topics(State s,
                                                                std::vector<NewTopic> topics,
                                                                CreateTopicsOptions options) {
  Attempts attempts(s->config, options.timeout);
  const Target controller{Route::controller};
  std::vector<CreateTopicResult> results(topics.size());
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < topics.size(); ++i) {
    results[i].name = topics[i].name;
    pending.push_back(i);
  }
  while (!pending.empty()) {
    proto::CreateTopicsRequest req;
    req.validate_only = options.validate_only;
    req.timeout_ms = attempts.request_timeout_ms();
    for (std::size_t i : pending) {
      const NewTopic& t = topics[i];
      proto::CreatableTopic ct;
      ct.name = t.name;
      ct.num_partitions = t.partitions;
      ct.replication_factor = t.replication_factor;
      if (t.replica_assignment) {
        for (std::size_t p = 0; p < t.replica_assignment->size(); ++p) {
          proto::CreatableReplicaAssignment a;
          a.partition_index = static_cast<int32_t>(p);
          a.broker_ids = (*t.replica_assignment)[p];
          ct.assignments.push_back(std::move(a));
        }
      }
      for (const auto& kv : t.configs) {
        proto::CreatableTopicConfig c;
        c.name = kv.first;
        c.value = kv.second;
        ct.configs.push_back(std::move(c));
      }
      req.topics.push_back(std::move(ct));
    }
    auto resp = co_await send<proto::CreateTopicsResponse>(s, attempts, controller,
                                                           proto::kCreateTopicsApi, std::move(req));
    if (!resp) co_return std::move(resp).error();
    std::vector<std::size_t> again;
    for (std::size_t i : pending) {
      auto it = std::find_if(
          resp->topics.begin(), resp->topics.end(),
          [&](const proto::CreatableTopicResult& r) { return r.name == topics[i].name; });
      CreateTopicResult& out = results[i];
      if (it == resp->topics.end()) {
        out.status = Error(make_error_code(ClientErrc::protocol_error),
                           "no result for topic " + topics[i].name);
        continue;
      }
      if (it->error_code != 0 && retriable_code(it->error_code) && !attempts.expired()) {
        again.push_back(i);
        continue;
      }
      if (it->error_code != 0) {
        out.status =
            kafka_error(it->error_code, it->error_message, "create topic " + topics[i].name);
      } else {
        out.status = ok_status();
        out.topic_id = uuid_text(it->topic_id);
        out.partitions = it->num_partitions;
        out.replication_factor = it->replication_factor;
        s->cluster.invalidate(topics[i].name);
      }
    }
    pending = std::move(again);
    if (!pending.empty()) {
      co_await forget_route(s, controller);
      if (!co_await attempts.backoff()) {
        for (std::size_t i : pending) {
          results[i].status =
              Error(make_error_code(ClientErrc::timed_out),
                    "create topic " + topics[i].name + ": no controller answered in time");
        }
        break;
      }
    }
  }
  co_return results;
}

awaitable<Result<std::vector<ItemStatus>>> delete_topics(State s, std::vector<std::string> topics,
                                                         std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  std::vector<ItemStatus> results(topics.size());
  const Target controller{Route::controller};
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < topics.size(); ++i) {
    results[i].name = topics[i];
    pending.push_back(i);
  }
  while (!pending.empty()) {
    proto::DeleteTopicsRequest req;
    req.timeout_ms = attempts.request_timeout_ms();
    for (std::size_t i : pending) {
      req.topic_names.push_back(topics[i]);  // v0-5
      proto::DeleteTopicState st;            // v6+
      st.name = topics[i];
      req.topics.push_back(std::move(st));
    }
    auto resp = co_await send<proto::DeleteTopicsResponse>(s, attempts, controller,
                                                           proto::kDeleteTopicsApi, std::move(req));
    if (!resp) co_return std::move(resp).error();
    std::vector<std::size_t> again;
    for (std::size_t i : pending) {
      auto it = std::find_if(
          resp->responses.begin(), resp->responses.end(),
          [&](const proto::DeletableTopicResult& r) { return r.name && *r.name == topics[i]; });
      if (it == resp->responses.end()) {
        results[i].status =
            Error(make_error_code(ClientErrc::protocol_error), "no result for topic " + topics[i]);
        continue;
      }
      if (it->error_code != 0 && retriable_code(it->error_code) && !attempts.expired()) {
        again.push_back(i);
        continue;
      }
      results[i].status =
          it->error_code == 0
              ? ok_status()
              : Status(kafka_error(it->error_code, it->error_message, "delete topic " + topics[i]));
      s->cluster.invalidate(topics[i]);
    }
    pending = std::move(again);
    if (!pending.empty()) {
      co_await forget_route(s, controller);
      if (!co_await attempts.backoff()) {
        for (std::size_t i : pending) {
          results[i].status =
              Error(make_error_code(ClientErrc::timed_out),
                    "delete topic " + topics[i] + ": no controller answered in time");
        }
        break;
      }
    }
  }
  co_return results;
}

// A Metadata request for `topics` (nullopt: all) that never creates topics.
awaitable<Result<proto::MetadataResponse>> fetch_metadata(
    State s, Attempts& attempts, std::optional<std::vector<std::string>> topics) {
  proto::MetadataRequest req;
  req.allow_auto_topic_creation = false;
  if (topics) {
    req.topics = std::vector<proto::MetadataRequestTopic>{};
    for (const auto& name : *topics) {
      proto::MetadataRequestTopic t;
      t.name = name;
      req.topics->push_back(std::move(t));
    }
  } else {
    req.topics = std::nullopt;
  }
  // v1+: v0 reads an empty list as "all topics".
  Target any{Route::any};
  co_return co_await send<proto::MetadataResponse>(s, attempts, any, proto::kMetadataApi,
                                                   std::move(req), 1);
}

ConfigEntry to_entry(const proto::DescribeConfigsResourceResult& c) {
  ConfigEntry e;
  e.name = c.name;
  e.value = c.value;
  e.read_only = c.read_only;
  e.sensitive = c.is_sensitive;
  if (c.config_source >= 0) {
    e.source = static_cast<ConfigSource>(c.config_source);
    e.is_default = e.source == ConfigSource::default_config;
  } else {  // v0: only is_default
    e.is_default = c.is_default;
    e.source = c.is_default ? ConfigSource::default_config : ConfigSource::unknown;
  }
  return e;
}

awaitable<Result<std::vector<ResourceConfig>>> describe_configs(
    State s, std::vector<ConfigResource> resources, std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  std::vector<ResourceConfig> results(resources.size());
  // Topic configs: any broker, one request. Broker configs: that broker (it answers for itself).
  std::map<int32_t, std::vector<std::size_t>> by_node;  // -1: any broker
  for (std::size_t i = 0; i < resources.size(); ++i) {
    results[i].resource = resources[i];
    int32_t node = -1;
    if (resources[i].type == ConfigResource::Type::broker) {
      try {
        node = std::stoi(resources[i].name);
      } catch (...) {
        results[i].status = Error(
            make_error_code(ClientErrc::invalid_argument),
            "broker config resource needs a numeric broker id, not '" + resources[i].name + "'");
        continue;
      }
    }
    by_node[node].push_back(i);
  }
  for (const auto& group : by_node) {
    std::vector<std::size_t> pending = group.second;
    Target target;
    if (group.first >= 0) target = Target{Route::node, group.first};
    while (!pending.empty()) {
      proto::DescribeConfigsRequest req;
      for (std::size_t i : pending) {
        proto::DescribeConfigsResource r;
        r.resource_type = static_cast<int8_t>(resources[i].type);
        r.resource_name = resources[i].name;
        r.configuration_keys = std::nullopt;
        req.resources.push_back(std::move(r));
      }
      auto resp = co_await send<proto::DescribeConfigsResponse>(
          s, attempts, target, proto::kDescribeConfigsApi, std::move(req));
      if (!resp) co_return std::move(resp).error();
      std::vector<std::size_t> again;
      for (std::size_t i : pending) {
        auto it = std::find_if(resp->results.begin(), resp->results.end(),
                               [&](const proto::DescribeConfigsResult& r) {
                                 return r.resource_type == static_cast<int8_t>(resources[i].type) &&
                                        r.resource_name == resources[i].name;
                               });
        if (it == resp->results.end()) {
          results[i].status = Error(make_error_code(ClientErrc::protocol_error),
                                    "no result for " + resource_text(resources[i]));
          continue;
        }
        if (it->error_code != 0 && retriable_code(it->error_code) && !attempts.expired()) {
          again.push_back(i);
          continue;
        }
        if (it->error_code != 0) {
          results[i].status = kafka_error(it->error_code, it->error_message,
                                          "describe configs of " + resource_text(resources[i]));
          continue;
        }
        results[i].status = ok_status();
        for (const auto& c : it->configs) results[i].entries.push_back(to_entry(c));
        std::sort(results[i].entries.begin(), results[i].entries.end(),
                  [](const ConfigEntry& a, const ConfigEntry& b) { return a.name < b.name; });
      }
      pending = std::move(again);
      if (!pending.empty() && !co_await attempts.backoff()) {
        for (std::size_t i : pending) {
          results[i].status =
              Error(make_error_code(ClientErrc::timed_out),
                    "describe configs of " + resource_text(resources[i]) + ": out of time");
        }
        break;
      }
    }
  }
  co_return results;
}

awaitable<Result<std::vector<TopicDescription>>> describe_topics(State s,
                                                                 std::vector<std::string> topics,
                                                                 DescribeTopicsOptions options) {
  Attempts attempts(s->config, options.timeout);
  std::optional<std::vector<std::string>> wanted = topics;
  auto md = co_await fetch_metadata(s, attempts, wanted);
  if (!md) co_return std::move(md).error();
  std::vector<TopicDescription> out;
  std::vector<ConfigResource> config_resources;
  for (const auto& name : topics) {
    TopicDescription d;
    d.name = name;
    auto it = std::find_if(
        md->topics.begin(), md->topics.end(),
        [&](const proto::MetadataResponseTopic& t) { return t.name && *t.name == name; });
    if (it == md->topics.end()) {
      d.status = kafka_error(static_cast<int16_t>(KafkaErrc::unknown_topic_or_partition),
                             std::nullopt, "topic " + name);
    } else if (it->error_code != 0 && it->partitions.empty()) {
      d.status = kafka_error(it->error_code, std::nullopt, "topic " + name);
    } else {
      d.status = ok_status();
      d.topic_id = uuid_text(it->topic_id);
      d.internal = it->is_internal;
      for (const auto& p : it->partitions) {
        PartitionDescription pd;
        pd.partition = p.partition_index;
        pd.leader = p.leader_id;
        pd.leader_epoch = p.leader_epoch;
        pd.replicas = p.replica_nodes;
        pd.isr = p.isr_nodes;
        pd.offline_replicas = p.offline_replicas;
        if (p.error_code != 0) {
          pd.status = kafka_error(p.error_code, std::nullopt,
                                  name + "-" + std::to_string(p.partition_index));
        }
        d.partitions.push_back(std::move(pd));
      }
      std::sort(d.partitions.begin(), d.partitions.end(),
                [](const PartitionDescription& a, const PartitionDescription& b) {
                  return a.partition < b.partition;
                });
      if (options.include_configs) config_resources.push_back({ConfigResource::Type::topic, name});
    }
    out.push_back(std::move(d));
  }
  if (!config_resources.empty()) {
    std::optional<Millis> left = attempts.remaining();
    auto configs = co_await describe_configs(s, config_resources, left);
    if (!configs) co_return std::move(configs).error();
    for (auto& rc : *configs) {
      for (auto& d : out) {
        if (d.name != rc.resource.name || !d.status) continue;
        if (rc.status) {
          d.configs = std::move(rc.entries);
        } else {
          d.status = rc.status;  // the description is incomplete: say why
        }
      }
    }
  }
  co_return out;
}

awaitable<Result<std::vector<TopicListing>>> list_topics(State s, ListTopicsOptions options) {
  Attempts attempts(s->config, options.timeout);
  std::optional<std::vector<std::string>> all;
  auto md = co_await fetch_metadata(s, attempts, all);
  if (!md) co_return std::move(md).error();
  std::vector<TopicListing> out;
  for (const auto& t : md->topics) {
    if (!t.name) continue;
    if (t.is_internal && !options.include_internal) continue;
    out.push_back(
        {*t.name, uuid_text(t.topic_id), t.is_internal, static_cast<int32_t>(t.partitions.size())});
  }
  std::sort(out.begin(), out.end(),
            [](const TopicListing& a, const TopicListing& b) { return a.name < b.name; });
  co_return out;
}

awaitable<Result<std::vector<ItemStatus>>> create_partitions(State s,
                                                             std::vector<NewPartitions> partitions,
                                                             CreatePartitionsOptions options) {
  Attempts attempts(s->config, options.timeout);
  const Target controller{Route::controller};
  std::vector<ItemStatus> results(partitions.size());
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    results[i].name = partitions[i].topic;
    pending.push_back(i);
  }
  while (!pending.empty()) {
    proto::CreatePartitionsRequest req;
    req.validate_only = options.validate_only;
    req.timeout_ms = attempts.request_timeout_ms();
    for (std::size_t i : pending) {
      proto::CreatePartitionsTopic t;
      t.name = partitions[i].topic;
      t.count = partitions[i].total_count;
      if (partitions[i].assignments) {
        t.assignments = std::vector<proto::CreatePartitionsAssignment>{};
        for (const auto& brokers : *partitions[i].assignments) {
          proto::CreatePartitionsAssignment a;
          a.broker_ids = brokers;
          t.assignments->push_back(std::move(a));
        }
      }
      req.topics.push_back(std::move(t));
    }
    auto resp = co_await send<proto::CreatePartitionsResponse>(
        s, attempts, controller, proto::kCreatePartitionsApi, std::move(req));
    if (!resp) co_return std::move(resp).error();
    std::vector<std::size_t> again;
    for (std::size_t i : pending) {
      const std::string& name = partitions[i].topic;
      auto it =
          std::find_if(resp->results.begin(), resp->results.end(),
                       [&](const proto::CreatePartitionsTopicResult& r) { return r.name == name; });
      if (it == resp->results.end()) {
        results[i].status =
            Error(make_error_code(ClientErrc::protocol_error), "no result for topic " + name);
        continue;
      }
      if (it->error_code != 0 && retriable_code(it->error_code) && !attempts.expired()) {
        again.push_back(i);
        continue;
      }
      results[i].status =
          it->error_code == 0
              ? ok_status()
              : Status(kafka_error(it->error_code, it->error_message, "add partitions to " + name));
      s->cluster.invalidate(name);
    }
    pending = std::move(again);
    if (!pending.empty()) {
      co_await forget_route(s, controller);
      if (!co_await attempts.backoff()) {
        for (std::size_t i : pending) {
          results[i].status = Error(
              make_error_code(ClientErrc::timed_out),
              "add partitions to " + partitions[i].topic + ": no controller answered in time");
        }
        break;
      }
    }
  }
  co_return results;
}

// ---- configurations -------------------------------------------------------------------------

awaitable<Result<std::vector<ResourceStatus>>> alter_configs(
    State s, std::vector<AlterConfigsResource> resources, AlterConfigsOptions options) {
  Attempts attempts(s->config, options.timeout);
  std::vector<ResourceStatus> results(resources.size());
  std::map<int32_t, std::vector<std::size_t>> by_node;
  for (std::size_t i = 0; i < resources.size(); ++i) {
    results[i].resource = resources[i].resource;
    int32_t node = -1;
    if (resources[i].resource.type == ConfigResource::Type::broker) {
      try {
        node = std::stoi(resources[i].resource.name);
      } catch (...) {
        results[i].status = Error(make_error_code(ClientErrc::invalid_argument),
                                  "broker config resource needs a numeric broker id, not '" +
                                      resources[i].resource.name + "'");
        continue;
      }
    }
    by_node[node].push_back(i);
  }
  for (const auto& group : by_node) {
    std::vector<std::size_t> pending = group.second;
    Target target;
    if (group.first >= 0) target = Target{Route::node, group.first};
    while (!pending.empty()) {
      proto::AlterConfigsRequest req;
      req.validate_only = options.validate_only;
      for (std::size_t i : pending) {
        proto::AlterConfigsResource r;
        r.resource_type = static_cast<int8_t>(resources[i].resource.type);
        r.resource_name = resources[i].resource.name;
        for (const auto& kv : resources[i].configs) {
          proto::AlterableConfig c;
          c.name = kv.first;
          c.value = kv.second;
          r.configs.push_back(std::move(c));
        }
        req.resources.push_back(std::move(r));
      }
      auto resp = co_await send<proto::AlterConfigsResponse>(
          s, attempts, target, proto::kAlterConfigsApi, std::move(req));
      if (!resp) co_return std::move(resp).error();
      std::vector<std::size_t> again;
      for (std::size_t i : pending) {
        const ConfigResource& res = resources[i].resource;
        auto it = std::find_if(resp->responses.begin(), resp->responses.end(),
                               [&](const proto::AlterConfigsResourceResponse& r) {
                                 return r.resource_type == static_cast<int8_t>(res.type) &&
                                        r.resource_name == res.name;
                               });
        if (it == resp->responses.end()) {
          results[i].status = Error(make_error_code(ClientErrc::protocol_error),
                                    "no result for " + resource_text(res));
          continue;
        }
        if (it->error_code != 0 && retriable_code(it->error_code) && !attempts.expired()) {
          again.push_back(i);
          continue;
        }
        results[i].status = it->error_code == 0
                                ? ok_status()
                                : Status(kafka_error(it->error_code, it->error_message,
                                                     "alter configs of " + resource_text(res)));
      }
      pending = std::move(again);
      if (!pending.empty() && !co_await attempts.backoff()) {
        for (std::size_t i : pending) {
          results[i].status =
              Error(make_error_code(ClientErrc::timed_out),
                    "alter configs of " + resource_text(resources[i].resource) + ": out of time");
        }
        break;
      }
    }
  }
  co_return results;
}

// ---- consumer groups ------------------------------------------------------------------------

awaitable<Result<std::vector<GroupListing>>> list_groups(State s, std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  // Every broker coordinates some groups: ask them all.
  std::optional<std::vector<std::string>> no_topics = std::vector<std::string>{};
  auto md = co_await fetch_metadata(s, attempts, no_topics);
  if (!md) co_return std::move(md).error();
  std::vector<GroupListing> out;
  for (const auto& b : md->brokers) {
    for (;;) {
      Target node{Route::node, b.node_id};
      proto::ListGroupsRequest req;
      auto resp =
          co_await send<proto::ListGroupsResponse>(s, attempts, node, proto::kListGroupsApi, req);
      if (!resp) {
        co_return Error(resp.error().code(), "list groups of broker " + std::to_string(b.node_id) +
                                                 ": " + resp.error().context());
      }
      if (resp->error_code != 0 && retriable_code(resp->error_code) && co_await attempts.backoff())
        continue;
      if (resp->error_code != 0) {
        co_return kafka_error(resp->error_code, std::nullopt,
                              "list groups of broker " + std::to_string(b.node_id));
      }
      for (const auto& g : resp->groups)
        out.push_back({g.group_id, g.protocol_type, g.group_state, b.node_id});
      break;
    }
  }
  std::sort(out.begin(), out.end(),
            [](const GroupListing& a, const GroupListing& b) { return a.group_id < b.group_id; });
  // A group moving between coordinators may be listed twice: keep one.
  out.erase(std::unique(out.begin(), out.end(),
                        [](const GroupListing& a, const GroupListing& b) {
                          return a.group_id == b.group_id;
                        }),
            out.end());
  co_return out;
}

awaitable<Result<GroupDescription>> describe_group(State s, Attempts& attempts, std::string group) {
  for (;;) {
    proto::DescribeGroupsRequest req;
    req.groups.push_back(group);
    Target target{Route::coordinator, -1, group};
    auto resp = co_await send<proto::DescribeGroupsResponse>(s, attempts, target,
                                                             proto::kDescribeGroupsApi, req);
    if (!resp) co_return std::move(resp).error();
    if (resp->groups.size() != 1) {
      co_return Error(make_error_code(ClientErrc::protocol_error),
                      "DescribeGroups: no result for group " + group);
    }
    const proto::DescribedGroup& g = resp->groups[0];
    if (g.error_code != 0 && retriable_code(g.error_code)) {
      if (is_coordinator_code(g.error_code)) s->cluster.invalidate_coordinator(group, 0);
      if (co_await attempts.backoff()) continue;
    }
    GroupDescription d;
    d.group_id = group;
    if (g.error_code != 0) {
      d.status = kafka_error(g.error_code, std::nullopt, "describe group " + group);
      co_return d;
    }
    d.status = ok_status();
    d.state = g.group_state;
    d.protocol_type = g.protocol_type;
    d.protocol = g.protocol_data;
    auto conn = co_await s->cluster.coordinator(group, 0);
    if (conn) d.coordinator = (*conn)->address().node_id;
    for (const auto& m : g.members) {
      MemberDescription md;
      md.member_id = m.member_id;
      md.group_instance_id = m.group_instance_id;
      md.client_id = m.client_id;
      md.client_host = m.client_host;
      if (g.protocol_type == "consumer") {
        if (!m.member_metadata.empty()) {
          auto sub = proto::decode_subscription(m.member_metadata);
          if (sub) md.subscription = sub->topics;
        }
        if (!m.member_assignment.empty()) {
          auto a = proto::decode_assignment(m.member_assignment);
          if (a) md.assignment = to_partitions(a->assigned_partitions);
        }
      }
      d.members.push_back(std::move(md));
    }
    co_return d;
  }
}

awaitable<Result<std::vector<GroupDescription>>> describe_groups(State s,
                                                                 std::vector<std::string> groups,
                                                                 std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  std::vector<GroupDescription> out;
  for (const auto& group : groups) {
    auto d = co_await describe_group(s, attempts, group);
    if (!d) co_return std::move(d).error();
    out.push_back(std::move(*d));
  }
  co_return out;
}

awaitable<Result<std::vector<ItemStatus>>> delete_groups(State s, std::vector<std::string> groups,
                                                         std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  std::vector<ItemStatus> out;
  for (const auto& group : groups) {
    ItemStatus item{group, ok_status()};
    for (;;) {
      proto::DeleteGroupsRequest req;
      req.groups_names.push_back(group);
      Target target{Route::coordinator, -1, group};
      auto resp = co_await send<proto::DeleteGroupsResponse>(s, attempts, target,
                                                             proto::kDeleteGroupsApi, req);
      if (!resp) co_return std::move(resp).error();
      auto it =
          std::find_if(resp->results.begin(), resp->results.end(),
                       [&](const proto::DeletableGroupResult& r) { return r.group_id == group; });
      if (it == resp->results.end()) {
        item.status =
            Error(make_error_code(ClientErrc::protocol_error), "no result for group " + group);
        break;
      }
      if (it->error_code != 0 && retriable_code(it->error_code)) {
        if (is_coordinator_code(it->error_code)) s->cluster.invalidate_coordinator(group, 0);
        if (co_await attempts.backoff()) continue;
      }
      if (it->error_code != 0)
        item.status = kafka_error(it->error_code, std::nullopt, "delete group " + group);
      break;
    }
    out.push_back(std::move(item));
  }
  co_return out;
}

awaitable<Result<std::map<TopicPartition, OffsetAndMetadata>>> list_group_offsets(
    State s, std::string group, std::optional<std::vector<TopicPartition>> partitions,
    std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  proto::OffsetFetchRequest req;
  std::optional<std::vector<proto::OffsetFetchRequestTopic>> topics;
  if (partitions) {
    topics = std::vector<proto::OffsetFetchRequestTopic>{};
    std::map<std::string, std::vector<int32_t>> by_topic;
    for (const auto& tp : *partitions) by_topic[tp.topic].push_back(tp.partition);
    for (auto& kv : by_topic) {
      proto::OffsetFetchRequestTopic t;
      t.name = kv.first;
      t.partition_indexes = kv.second;
      topics->push_back(std::move(t));
    }
  }
  req.group_id = group;  // v0-7
  req.topics = topics;
  proto::OffsetFetchRequestGroup g;  // v8+
  g.group_id = group;
  req.groups.push_back(g);
  req.groups[0].topics = topics;
  Target target{Route::coordinator, -1, group};
  for (;;) {
    // v2+: null topics means every partition with a commit.
    auto resp = co_await send<proto::OffsetFetchResponse>(s, attempts, target,
                                                          proto::kOffsetFetchApi, req, 2);
    if (!resp) co_return std::move(resp).error();
    int16_t group_error = resp->error_code;
    if (!resp->groups.empty()) group_error = resp->groups[0].error_code;
    if (group_error != 0 && retriable_code(group_error)) {
      if (is_coordinator_code(group_error)) s->cluster.invalidate_coordinator(group, 0);
      if (co_await attempts.backoff()) continue;
    }
    if (group_error != 0)
      co_return kafka_error(group_error, std::nullopt, "fetch offsets of group " + group);
    std::map<TopicPartition, OffsetAndMetadata> out;
    std::optional<Error> partition_error;
    auto take = [&](const std::string& topic, int32_t p, int64_t offset, int32_t epoch,
                    const std::optional<std::string>& metadata, int16_t error_code) {
      if (error_code != 0) {
        if (!partition_error) {
          partition_error = kafka_error(
              error_code, std::nullopt,
              "fetch offset of group " + group + " for " + topic + "-" + std::to_string(p));
        }
        return;
      }
      if (offset < 0) return;  // no commit
      out[TopicPartition{topic, p}] = OffsetAndMetadata{offset, epoch, metadata.value_or("")};
    };
    for (const auto& t : resp->topics) {
      for (const auto& p : t.partitions) {
        take(t.name, p.partition_index, p.committed_offset, p.committed_leader_epoch, p.metadata,
             p.error_code);
      }
    }
    for (const auto& rg : resp->groups) {
      for (const auto& t : rg.topics) {
        for (const auto& p : t.partitions) {
          take(t.name, p.partition_index, p.committed_offset, p.committed_leader_epoch, p.metadata,
               p.error_code);
        }
      }
    }
    if (partition_error) {
      auto code = static_cast<int16_t>(kafka_code(*partition_error));
      if (retriable_code(code) && co_await attempts.backoff()) continue;
      co_return std::move(*partition_error);
    }
    co_return out;
  }
}

awaitable<Result<bool>> alter_group_offsets(State s, std::string group,
                                            std::map<TopicPartition, int64_t> offsets,
                                            std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  proto::OffsetCommitRequest req;
  req.group_id = group;
  req.generation_id = -1;  // an admin commit: no member, no generation
  req.member_id = "";
  for (const auto& kv : offsets) {
    if (req.topics.empty() || req.topics.back().name != kv.first.topic) {
      proto::OffsetCommitRequestTopic t;
      t.name = kv.first.topic;
      req.topics.push_back(std::move(t));
    }
    proto::OffsetCommitRequestPartition p;
    p.partition_index = kv.first.partition;
    p.committed_offset = kv.second;
    p.committed_metadata = std::string();
    req.topics.back().partitions.push_back(std::move(p));
  }
  Target target{Route::coordinator, -1, group};
  for (;;) {
    auto resp = co_await send<proto::OffsetCommitResponse>(s, attempts, target,
                                                           proto::kOffsetCommitApi, req);
    if (!resp) co_return std::move(resp).error();
    int16_t first_code = 0;
    bool retry = false;
    std::string failed;
    for (const auto& t : resp->topics) {
      for (const auto& p : t.partitions) {
        if (p.error_code == 0) continue;
        if (first_code == 0) first_code = p.error_code;
        if (retriable_code(p.error_code)) retry = true;
        if (!failed.empty()) failed += ", ";
        failed += t.name + "-" + std::to_string(p.partition_index) + " " +
                  std::string(proto::kafka_error_name(p.error_code));
      }
    }
    if (first_code == 0) co_return true;
    if (retry) {
      if (is_coordinator_code(first_code)) s->cluster.invalidate_coordinator(group, 0);
      if (co_await attempts.backoff()) continue;
    }
    co_return kafka_error(first_code, failed, "commit offsets of group " + group);
  }
}

// ---- log offsets and the cluster ------------------------------------------------------------

awaitable<Result<std::map<TopicPartition, ListedOffset>>> list_offsets(
    State s, std::map<TopicPartition, OffsetSpec> request, std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  std::map<TopicPartition, ListedOffset> out;
  std::map<TopicPartition, OffsetSpec> pending = std::move(request);
  std::optional<Error> last_error;
  while (!pending.empty()) {
    // Each partition's leader, from the metadata cache (re-read for partitions that failed).
    std::map<int32_t, std::vector<TopicPartition>> by_leader;
    for (const auto& kv : pending) {
      const TopicPartition& tp = kv.first;
      auto info = co_await s->cluster.topic(tp.topic);
      if (!info) {
        if (!retriable_transport(info.error())) co_return std::move(info).error();
        last_error = info.error();
        continue;
      }
      const detail::TopicInfo& topic = **info;
      if (topic.error_code != 0) {
        last_error =
            kafka_error(topic.error_code, std::nullopt, "list offsets of " + tp.to_string());
        s->cluster.invalidate(tp.topic);
        continue;
      }
      auto pit =
          std::find_if(topic.partitions.begin(), topic.partitions.end(),
                       [&](const detail::PartitionInfo& p) { return p.partition == tp.partition; });
      if (pit == topic.partitions.end() || pit->leader < 0) {
        auto code = pit == topic.partitions.end() ? KafkaErrc::unknown_topic_or_partition
                                                  : KafkaErrc::leader_not_available;
        last_error = kafka_error(static_cast<int16_t>(code), std::nullopt,
                                 "list offsets of " + tp.to_string());
        s->cluster.invalidate(tp.topic);
        continue;
      }
      by_leader[pit->leader].push_back(tp);
    }
    for (const auto& group : by_leader) {
      proto::ListOffsetsRequest req;
      for (const auto& tp : group.second) {
        if (req.topics.empty() || req.topics.back().name != tp.topic) {
          proto::ListOffsetsTopic t;
          t.name = tp.topic;
          req.topics.push_back(std::move(t));
        }
        proto::ListOffsetsPartition p;
        p.partition_index = tp.partition;
        p.timestamp = pending.at(tp).timestamp;
        req.topics.back().partitions.push_back(p);
      }
      // One attempt per round: a leader that fails is looked up again in the next round.
      // v1+: one offset per partition (v0 returned lists).
      Target leader{Route::node, group.first};
      auto resp = co_await send<proto::ListOffsetsResponse>(
          s, attempts, leader, proto::kListOffsetsApi, std::move(req), 1, INT16_MAX,
          /*retry=*/false);
      if (!resp) {
        if (!retriable_transport(resp.error())) co_return std::move(resp).error();
        last_error =
            Error(resp.error().code(), "list offsets from broker " + std::to_string(group.first) +
                                           ": " + resp.error().context());
        for (const auto& tp : group.second) s->cluster.invalidate(tp.topic);
        continue;
      }
      for (const auto& t : resp->topics) {
        for (const auto& p : t.partitions) {
          TopicPartition tp{t.name, p.partition_index};
          if (!pending.count(tp)) continue;
          if (p.error_code == 0) {
            out[tp] = ListedOffset{p.offset, p.timestamp, p.leader_epoch};
            pending.erase(tp);
            continue;
          }
          Error e = kafka_error(p.error_code, std::nullopt, "list offsets of " + tp.to_string());
          if (!retriable_code(p.error_code) &&
              p.error_code != static_cast<int16_t>(KafkaErrc::unknown_topic_or_partition)) {
            co_return e;
          }
          last_error = std::move(e);
          s->cluster.invalidate(tp.topic);
        }
      }
    }
    if (pending.empty()) break;
    if (!co_await attempts.backoff()) {
      if (last_error) co_return std::move(*last_error);
      co_return Error(make_error_code(ClientErrc::timed_out), "list offsets: out of time");
    }
  }
  co_return out;
}

awaitable<Result<ClusterDescription>> describe_cluster(State s, std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  ClusterDescription out;
  Target any{Route::any};
  proto::DescribeClusterRequest req;
  auto resp = co_await send<proto::DescribeClusterResponse>(s, attempts, any,
                                                            proto::kDescribeClusterApi, req);
  if (resp) {
    if (resp->error_code != 0)
      co_return kafka_error(resp->error_code, resp->error_message, "describe cluster");
    out.cluster_id = resp->cluster_id;
    out.controller_id = resp->controller_id;
    for (const auto& b : resp->brokers)
      out.brokers.push_back({b.broker_id, b.host, b.port, b.rack});
  } else if (resp.error() == ClientErrc::unsupported_version) {
    // Brokers without DescribeCluster: the same facts from Metadata.
    std::optional<std::vector<std::string>> no_topics = std::vector<std::string>{};
    auto md = co_await fetch_metadata(s, attempts, no_topics);
    if (!md) co_return std::move(md).error();
    out.cluster_id = md->cluster_id.value_or("");
    out.controller_id = md->controller_id;
    for (const auto& b : md->brokers) out.brokers.push_back({b.node_id, b.host, b.port, b.rack});
  } else {
    co_return std::move(resp).error();
  }
  std::sort(out.brokers.begin(), out.brokers.end(),
            [](const BrokerDescription& a, const BrokerDescription& b) { return a.id < b.id; });
  co_return out;
}

// Runs `op` and hands its result to `cb` (the async_ forms).
template <class T>
awaitable<void> deliver(awaitable<Result<T>> op, std::function<void(Result<T>)> cb) {
  cb(co_await std::move(op));
}

awaitable<Result<bool>> close_cluster(State s) {
  s->cluster.close();
  co_return true;
}

}  // namespace
}  // namespace admin_ops

using admin_ops::State;

// ---- Admin ----------------------------------------------------------------------------------

struct Admin::Impl {
  // Declared first, destroyed last: the runtime's thread stops after the state's connections
  // are closed and its coroutines released.
  std::unique_ptr<detail::Runtime> runtime;
  State state;

  template <class T>
  Result<T> block_on(std::function<awaitable<Result<T>>()> make_op) {
    return runtime->block_on<T>(std::move(make_op));
  }
  template <class T>
  void spawn(awaitable<Result<T>> op, std::function<void(Result<T>)> cb) {
    runtime->spawn(admin_ops::deliver<T>(std::move(op), std::move(cb)));
  }
};

Result<std::unique_ptr<Admin>> Admin::create(AdminConfig config,
                                             std::optional<boost::asio::any_io_executor> executor) {
  if (auto st = config.validate(); !st) return std::move(st).error();
  auto impl = std::make_unique<Impl>();
  impl->runtime = std::make_unique<detail::Runtime>(std::move(executor));
  impl->state = std::make_shared<AdminState>(impl->runtime->executor(), std::move(config));
  return std::unique_ptr<Admin>(new Admin(std::move(impl)));
}

Admin::Admin(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Admin::~Admin() {
  if (!impl_) return;
  // Close the connections on the client's executor (the Cluster is not thread-safe).
  if (!impl_->runtime->on_runtime_thread()) {
    State s = impl_->state;
    (void)impl_->block_on<bool>([s] { return admin_ops::close_cluster(s); });
  }
  // The state (sockets, timers) must go before the io_context it lives on: stop the thread,
  // drop the state, then the runtime (which destroys the coroutines still holding it).
  impl_->runtime->stop();
  impl_->state.reset();
  impl_->runtime.reset();
}

boost::asio::any_io_executor Admin::executor() const { return impl_->runtime->executor(); }

Result<std::vector<CreateTopicResult>> Admin::create_topics(std::vector<NewTopic> topics,
                                                            CreateTopicsOptions options) {
  State s = impl_->state;
  return impl_->block_on<std::vector<CreateTopicResult>>(
      [s, &topics, options] { return admin_ops::create_topics(s, topics, options); });
}
void Admin::start_create_topics(std::vector<NewTopic> topics, CreateTopicsOptions options,
                                Callback<std::vector<CreateTopicResult>> cb) {
  impl_->spawn(admin_ops::create_topics(impl_->state, std::move(topics), options), std::move(cb));
}

Result<std::vector<ItemStatus>> Admin::delete_topics(std::vector<std::string> topics,
                                                     std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::vector<ItemStatus>>(
      [s, &topics, timeout] { return admin_ops::delete_topics(s, topics, timeout); });
}
void Admin::start_delete_topics(std::vector<std::string> topics, std::optional<Millis> timeout,
                                Callback<std::vector<ItemStatus>> cb) {
  impl_->spawn(admin_ops::delete_topics(impl_->state, std::move(topics), timeout), std::move(cb));
}

Result<std::vector<TopicDescription>> Admin::describe_topics(std::vector<std::string> topics,
                                                             DescribeTopicsOptions options) {
  State s = impl_->state;
  return impl_->block_on<std::vector<TopicDescription>>(
      [s, &topics, options] { return admin_ops::describe_topics(s, topics, options); });
}
void Admin::start_describe_topics(std::vector<std::string> topics, DescribeTopicsOptions options,
                                  Callback<std::vector<TopicDescription>> cb) {
  impl_->spawn(admin_ops::describe_topics(impl_->state, std::move(topics), options), std::move(cb));
}

Result<std::vector<TopicListing>> Admin::list_topics(ListTopicsOptions options) {
  State s = impl_->state;
  return impl_->block_on<std::vector<TopicListing>>(
      [s, options] { return admin_ops::list_topics(s, options); });
}
void Admin::start_list_topics(ListTopicsOptions options, Callback<std::vector<TopicListing>> cb) {
  impl_->spawn(admin_ops::list_topics(impl_->state, options), std::move(cb));
}

Result<std::vector<ItemStatus>> Admin::create_partitions(std::vector<NewPartitions> partitions,
                                                         CreatePartitionsOptions options) {
  State s = impl_->state;
  return impl_->block_on<std::vector<ItemStatus>>(
      [s, &partitions, options] { return admin_ops::create_partitions(s, partitions, options); });
}
void Admin::start_create_partitions(std::vector<NewPartitions> partitions,
                                    CreatePartitionsOptions options,
                                    Callback<std::vector<ItemStatus>> cb) {
  impl_->spawn(admin_ops::create_partitions(impl_->state, std::move(partitions), options),
               std::move(cb));
}

Result<std::vector<ResourceConfig>> Admin::describe_configs(std::vector<ConfigResource> resources,
                                                            std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::vector<ResourceConfig>>(
      [s, &resources, timeout] { return admin_ops::describe_configs(s, resources, timeout); });
}
void Admin::start_describe_configs(std::vector<ConfigResource> resources,
                                   std::optional<Millis> timeout,
                                   Callback<std::vector<ResourceConfig>> cb) {
  impl_->spawn(admin_ops::describe_configs(impl_->state, std::move(resources), timeout),
               std::move(cb));
}

Result<std::vector<ResourceStatus>> Admin::alter_configs(
    std::vector<AlterConfigsResource> resources, AlterConfigsOptions options) {
  State s = impl_->state;
  return impl_->block_on<std::vector<ResourceStatus>>(
      [s, &resources, options] { return admin_ops::alter_configs(s, resources, options); });
}
void Admin::start_alter_configs(std::vector<AlterConfigsResource> resources,
                                AlterConfigsOptions options,
                                Callback<std::vector<ResourceStatus>> cb) {
  impl_->spawn(admin_ops::alter_configs(impl_->state, std::move(resources), options),
               std::move(cb));
}

Result<std::vector<GroupListing>> Admin::list_groups(std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::vector<GroupListing>>(
      [s, timeout] { return admin_ops::list_groups(s, timeout); });
}
void Admin::start_list_groups(std::optional<Millis> timeout,
                              Callback<std::vector<GroupListing>> cb) {
  impl_->spawn(admin_ops::list_groups(impl_->state, timeout), std::move(cb));
}

Result<std::vector<GroupDescription>> Admin::describe_groups(std::vector<std::string> groups,
                                                             std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::vector<GroupDescription>>(
      [s, &groups, timeout] { return admin_ops::describe_groups(s, groups, timeout); });
}
void Admin::start_describe_groups(std::vector<std::string> groups, std::optional<Millis> timeout,
                                  Callback<std::vector<GroupDescription>> cb) {
  impl_->spawn(admin_ops::describe_groups(impl_->state, std::move(groups), timeout), std::move(cb));
}

Result<std::vector<ItemStatus>> Admin::delete_groups(std::vector<std::string> groups,
                                                     std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::vector<ItemStatus>>(
      [s, &groups, timeout] { return admin_ops::delete_groups(s, groups, timeout); });
}
void Admin::start_delete_groups(std::vector<std::string> groups, std::optional<Millis> timeout,
                                Callback<std::vector<ItemStatus>> cb) {
  impl_->spawn(admin_ops::delete_groups(impl_->state, std::move(groups), timeout), std::move(cb));
}

Result<std::map<TopicPartition, OffsetAndMetadata>> Admin::list_consumer_group_offsets(
    std::string group, std::optional<std::vector<TopicPartition>> partitions,
    std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::map<TopicPartition, OffsetAndMetadata>>(
      [s, &group, &partitions, timeout] {
        return admin_ops::list_group_offsets(s, group, partitions, timeout);
      });
}
void Admin::start_list_consumer_group_offsets(
    std::string group, std::optional<std::vector<TopicPartition>> partitions,
    std::optional<Millis> timeout, Callback<std::map<TopicPartition, OffsetAndMetadata>> cb) {
  impl_->spawn(
      admin_ops::list_group_offsets(impl_->state, std::move(group), std::move(partitions), timeout),
      std::move(cb));
}

Status Admin::alter_consumer_group_offsets(std::string group,
                                           std::map<TopicPartition, int64_t> offsets,
                                           std::optional<Millis> timeout) {
  State s = impl_->state;
  auto r = impl_->block_on<bool>([s, &group, &offsets, timeout] {
    return admin_ops::alter_group_offsets(s, group, offsets, timeout);
  });
  if (!r) return std::move(r).error();
  return ok_status();
}
void Admin::start_alter_consumer_group_offsets(std::string group,
                                               std::map<TopicPartition, int64_t> offsets,
                                               std::optional<Millis> timeout, Callback<bool> cb) {
  impl_->spawn(
      admin_ops::alter_group_offsets(impl_->state, std::move(group), std::move(offsets), timeout),
      std::move(cb));
}

Result<std::map<TopicPartition, ListedOffset>> Admin::list_offsets(
    std::map<TopicPartition, OffsetSpec> request, std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<std::map<TopicPartition, ListedOffset>>(
      [s, &request, timeout] { return admin_ops::list_offsets(s, request, timeout); });
}
void Admin::start_list_offsets(std::map<TopicPartition, OffsetSpec> request,
                               std::optional<Millis> timeout,
                               Callback<std::map<TopicPartition, ListedOffset>> cb) {
  impl_->spawn(admin_ops::list_offsets(impl_->state, std::move(request), timeout), std::move(cb));
}

Result<ClusterDescription> Admin::describe_cluster(std::optional<Millis> timeout) {
  State s = impl_->state;
  return impl_->block_on<ClusterDescription>(
      [s, timeout] { return admin_ops::describe_cluster(s, timeout); });
}
void Admin::start_describe_cluster(std::optional<Millis> timeout, Callback<ClusterDescription> cb) {
  impl_->spawn(admin_ops::describe_cluster(impl_->state, timeout), std::move(cb));
}

}  // namespace sluice::client
