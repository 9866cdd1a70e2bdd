// Admin: topics and their partitions. Creating, deleting and adding partitions go to the
// controller (re-found after NOT_CONTROLLER); describing and listing read any broker's
// metadata.
#include <algorithm>

#include "client/src/admin_internal.h"
#include "protocol/messages/create_partitions.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_topics.h"

namespace sluice::client::admin_ops {
namespace {

proto::CreatableTopic creatable(const NewTopic& t) {
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
  return ct;
}

proto::CreatePartitionsTopic partitions_topic(const NewPartitions& n) {
  proto::CreatePartitionsTopic t;
  t.name = n.topic;
  t.count = n.total_count;
  if (n.assignments) {
    t.assignments = std::vector<proto::CreatePartitionsAssignment>{};
    for (const auto& brokers : *n.assignments) {
      proto::CreatePartitionsAssignment a;
      a.broker_ids = brokers;
      t.assignments->push_back(std::move(a));
    }
  }
  return t;
}

Error no_result(const std::string& what) {
  return Error(make_error_code(ClientErrc::protocol_error), "no result for " + what);
}

Error no_controller_in_time(const std::string& what) {
  return Error(make_error_code(ClientErrc::timed_out), what + ": no controller answered in time");
}

PartitionDescription describe_partition(const std::string& topic,
                                        const proto::MetadataResponsePartition& p) {
  PartitionDescription pd;
  pd.partition = p.partition_index;
  pd.leader = p.leader_id;
  pd.leader_epoch = p.leader_epoch;
  pd.replicas = p.replica_nodes;
  pd.isr = p.isr_nodes;
  pd.offline_replicas = p.offline_replicas;
  if (p.error_code != 0) {
    pd.status =
        kafka_error(p.error_code, std::nullopt, topic + "-" + std::to_string(p.partition_index));
  }
  return pd;
}

// A topic's description from a Metadata response (without configs).
TopicDescription describe_topic(const std::string& name, const proto::MetadataResponse& md) {
  TopicDescription d;
  d.name = name;
  auto it = std::find_if(
      md.topics.begin(), md.topics.end(),
      [&](const proto::MetadataResponseTopic& t) { return t.name && *t.name == name; });
  if (it == md.topics.end()) {
    d.status = kafka_error(static_cast<int16_t>(KafkaErrc::unknown_topic_or_partition),
                           std::nullopt, "topic " + name);
    return d;
  }
  if (it->error_code != 0 && it->partitions.empty()) {
    d.status = kafka_error(it->error_code, std::nullopt, "topic " + name);
    return d;
  }
  d.status = ok_status();
  d.topic_id = uuid_text(it->topic_id);
  d.internal = it->is_internal;
  for (const auto& p : it->partitions) d.partitions.push_back(describe_partition(name, p));
  std::sort(d.partitions.begin(), d.partitions.end(),
            [](const PartitionDescription& a, const PartitionDescription& b) {
              return a.partition < b.partition;
            });
  return d;
}

}  // namespace

awaitable<Result<std::vector<CreateTopicResult>>> create_topics(State s,
                                                                std::vector<NewTopic> topics,
                                                                CreateTopicsOptions options) {
  Attempts attempts(s->config, options.timeout);
  std::vector<CreateTopicResult> results(topics.size());
  for (std::size_t i = 0; i < topics.size(); ++i) results[i].name = topics[i].name;

  ItemRequests<proto::CreateTopicsRequest, proto::CreateTopicsResponse> op;
  op.api = &proto::kCreateTopicsApi;
  op.build = [&](const std::vector<std::size_t>& items) {
    proto::CreateTopicsRequest req;
    req.validate_only = options.validate_only;
    req.timeout_ms = attempts.request_timeout_ms();
    for (std::size_t i : items) req.topics.push_back(creatable(topics[i]));
    return req;
  };
  op.read = [&](const proto::CreateTopicsResponse& resp, std::size_t i) -> Result<Verdict> {
    const std::string& name = topics[i].name;
    auto it = std::find_if(resp.topics.begin(), resp.topics.end(),
                           [&](const proto::CreatableTopicResult& r) { return r.name == name; });
    CreateTopicResult& out = results[i];
    if (it == resp.topics.end()) {
      out.status = no_result("topic " + name);
      return Verdict::done;
    }
    if (attempts.ask_again(it->error_code)) return Verdict::reroute;
    if (it->error_code != 0) {
      out.status = kafka_error(it->error_code, it->error_message, "create topic " + name);
      return Verdict::done;
    }
    out.status = ok_status();
    out.topic_id = uuid_text(it->topic_id);
    out.partitions = it->num_partitions;
    out.replication_factor = it->replication_factor;
    s->cluster.invalidate(name);
    return Verdict::done;
  };
  op.out_of_time = [&](const std::vector<std::size_t>& items) {
    for (std::size_t i : items)
      results[i].status = no_controller_in_time("create topic " + topics[i].name);
    return ok_status();
  };
  const Target controller{Route::controller};
  std::vector<std::size_t> items = all_items(topics.size());
  auto st = co_await run_items(s, attempts, controller, items, op);
  if (!st) co_return std::move(st).error();
  co_return results;
}

awaitable<Result<std::vector<ItemStatus>>> delete_topics(State s, std::vector<std::string> topics,
                                                         std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  std::vector<ItemStatus> results(topics.size());
  for (std::size_t i = 0; i < topics.size(); ++i) results[i].name = topics[i];

  ItemRequests<proto::DeleteTopicsRequest, proto::DeleteTopicsResponse> op;
  op.api = &proto::kDeleteTopicsApi;
  op.build = [&](const std::vector<std::size_t>& items) {
    proto::DeleteTopicsRequest req;
    req.timeout_ms = attempts.request_timeout_ms();
    for (std::size_t i : items) {
      req.topic_names.push_back(topics[i]);  // v0-5
      proto::DeleteTopicState st;            // v6+
      st.name = topics[i];
      req.topics.push_back(std::move(st));
    }
    return req;
  };
  op.read = [&](const proto::DeleteTopicsResponse& resp, std::size_t i) -> Result<Verdict> {
    auto it = std::find_if(
        resp.responses.begin(), resp.responses.end(),
        [&](const proto::DeletableTopicResult& r) { return r.name && *r.name == topics[i]; });
    if (it == resp.responses.end()) {
      results[i].status = no_result("topic " + topics[i]);
      return Verdict::done;
    }
    if (attempts.ask_again(it->error_code)) return Verdict::reroute;
    if (it->error_code != 0) {
      results[i].status =
          kafka_error(it->error_code, it->error_message, "delete topic " + topics[i]);
    } else {
      results[i].status = ok_status();
    }
    s->cluster.invalidate(topics[i]);
    return Verdict::done;
  };
  op.out_of_time = [&](const std::vector<std::size_t>& items) {
    for (std::size_t i : items)
      results[i].status = no_controller_in_time("delete topic " + topics[i]);
    return ok_status();
  };
  const Target controller{Route::controller};
  std::vector<std::size_t> items = all_items(topics.size());
  auto st = co_await run_items(s, attempts, controller, items, op);
  if (!st) co_return std::move(st).error();
  co_return results;
}

awaitable<Result<std::vector<ItemStatus>>> create_partitions(State s,
                                                             std::vector<NewPartitions> partitions,
                                                             CreatePartitionsOptions options) {
  Attempts attempts(s->config, options.timeout);
  std::vector<ItemStatus> results(partitions.size());
  for (std::size_t i = 0; i < partitions.size(); ++i) results[i].name = partitions[i].topic;

  ItemRequests<proto::CreatePartitionsRequest, proto::CreatePartitionsResponse> op;
  op.api = &proto::kCreatePartitionsApi;
  op.build = [&](const std::vector<std::size_t>& items) {
    proto::CreatePartitionsRequest req;
    req.validate_only = options.validate_only;
    req.timeout_ms = attempts.request_timeout_ms();
    for (std::size_t i : items) req.topics.push_back(partitions_topic(partitions[i]));
    return req;
  };
  op.read = [&](const proto::CreatePartitionsResponse& resp, std::size_t i) -> Result<Verdict> {
    const std::string& name = partitions[i].topic;
    auto it =
        std::find_if(resp.results.begin(), resp.results.end(),
                     [&](const proto::CreatePartitionsTopicResult& r) { return r.name == name; });
    if (it == resp.results.end()) {
      results[i].status = no_result("topic " + name);
      return Verdict::done;
    }
    if (attempts.ask_again(it->error_code)) return Verdict::reroute;
    if (it->error_code != 0) {
      results[i].status =
          kafka_error(it->error_code, it->error_message, "add partitions to " + name);
    } else {
      results[i].status = ok_status();
    }
    s->cluster.invalidate(name);
    return Verdict::done;
  };
  op.out_of_time = [&](const std::vector<std::size_t>& items) {
    for (std::size_t i : items)
      results[i].status = no_controller_in_time("add partitions to " + partitions[i].topic);
    return ok_status();
  };
  const Target controller{Route::controller};
  std::vector<std::size_t> items = all_items(partitions.size());
  auto st = co_await run_items(s, attempts, controller, items, op);
  if (!st) co_return std::move(st).error();
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
    out.push_back(describe_topic(name, *md));
    if (out.back().status && options.include_configs)
      config_resources.push_back({ConfigResource::Type::topic, name});
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

}  // namespace sluice::client::admin_ops
