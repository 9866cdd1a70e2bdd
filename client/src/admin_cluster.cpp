// Admin: log offsets (asked of each partition's leader, found in the metadata cache) and the
// cluster itself (its id, controller and brokers).
#include <algorithm>

#include "client/src/admin_internal.h"
#include "protocol/messages/describe_cluster.h"
#include "protocol/messages/list_offsets.h"

namespace sluice::client::admin_ops {
namespace {

// Each pending partition's leader, from the metadata cache. A partition without one yet
// stays pending (its topic is re-read, `last_error` says why); a lookup that cannot succeed
// ends the operation. `partitions` and `last_error` belong to the caller's frame.
awaitable<Result<std::vector<Batch>>> route_to_leaders(
    State s, const std::vector<TopicPartition>& partitions, std::vector<std::size_t> items,
    std::optional<Error>& last_error) {
  std::map<int32_t, std::vector<std::size_t>> by_leader;
  for (std::size_t i : items) {
    const TopicPartition& tp = partitions[i];
    auto info = co_await s->cluster.topic(tp.topic);
    if (!info) {
      if (!retriable_transport(info.error())) co_return std::move(info).error();
      last_error = info.error();
      continue;
    }
    const detail::TopicMetadata& topic = **info;
    if (topic.error_code != 0) {
      last_error = kafka_error(topic.error_code, std::nullopt, "list offsets of " + tp.to_string());
      s->cluster.invalidate(tp.topic);
      continue;
    }
    auto pit = std::find_if(
        topic.partitions.begin(), topic.partitions.end(),
        [&](const detail::PartitionMetadata& p) { return p.partition == tp.partition; });
    if (pit == topic.partitions.end() || pit->leader < 0) {
      auto code = pit == topic.partitions.end() ? KafkaErrc::unknown_topic_or_partition
                                                : KafkaErrc::leader_not_available;
      last_error = kafka_error(static_cast<int16_t>(code), std::nullopt,
                               "list offsets of " + tp.to_string());
      s->cluster.invalidate(tp.topic);
      continue;
    }
    by_leader[pit->leader].push_back(i);
  }
  std::vector<Batch> batches;
  for (const auto& entry : by_leader) {
    Target leader{Route::node, entry.first};
    batches.push_back(Batch{leader, entry.second});
  }
  co_return batches;
}

const proto::ListOffsetsPartitionResponse* find_answer(const proto::ListOffsetsResponse& resp,
                                                       const TopicPartition& tp) {
  for (const auto& t : resp.topics) {
    if (t.name != tp.topic) continue;
    for (const auto& p : t.partitions) {
      if (p.partition_index == tp.partition) return &p;
    }
  }
  return nullptr;
}

}  // namespace

awaitable<Result<std::map<TopicPartition, ListedOffset>>> list_offsets(
    State s, std::map<TopicPartition, OffsetSpec> request, std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  std::vector<TopicPartition> partitions;  // the items
  std::vector<int64_t> timestamps;
  for (const auto& kv : request) {
    partitions.push_back(kv.first);
    timestamps.push_back(kv.second.timestamp);
  }
  std::map<TopicPartition, ListedOffset> out;
  std::optional<Error> last_error;

  ItemRequests<proto::ListOffsetsRequest, proto::ListOffsetsResponse> op;
  op.api = &proto::kListOffsetsApi;
  op.min_version = 1;  // v1+: one offset per partition (v0 returned lists)
  op.route = [&](std::vector<std::size_t> items) {
    return route_to_leaders(s, partitions, std::move(items), last_error);
  };
  // One attempt per round: a leader that fails is looked up again in the next round.
  op.send_failed = [&](const Batch& batch, const Error& e) -> Status {
    if (!retriable_transport(e)) return e;
    last_error = Error(e.code(), "list offsets from broker " + std::to_string(batch.target.node) +
                                     ": " + e.context());
    for (std::size_t i : batch.items) s->cluster.invalidate(partitions[i].topic);
    return ok_status();
  };
  op.build = [&](const std::vector<std::size_t>& items) {
    proto::ListOffsetsRequest req;
    for (std::size_t i : items) {
      const TopicPartition& tp = partitions[i];
      if (req.topics.empty() || req.topics.back().name != tp.topic) {
        proto::ListOffsetsTopic t;
        t.name = tp.topic;
        req.topics.push_back(std::move(t));
      }
      proto::ListOffsetsPartition p;
      p.partition_index = tp.partition;
      p.timestamp = timestamps[i];
      req.topics.back().partitions.push_back(p);
    }
    return req;
  };
  op.read = [&](const proto::ListOffsetsResponse& resp, std::size_t i) -> Result<Verdict> {
    const TopicPartition& tp = partitions[i];
    const proto::ListOffsetsPartitionResponse* p = find_answer(resp, tp);
    if (p == nullptr) return Verdict::retry;  // not answered: ask again
    if (p->error_code == 0) {
      out[tp] = ListedOffset{p->offset, p->timestamp, p->leader_epoch};
      return Verdict::done;
    }
    Error e = kafka_error(p->error_code, std::nullopt, "list offsets of " + tp.to_string());
    if (!retriable_code(p->error_code) &&
        p->error_code != static_cast<int16_t>(KafkaErrc::unknown_topic_or_partition)) {
      return e;
    }
    last_error = std::move(e);
    s->cluster.invalidate(tp.topic);
    return Verdict::retry;
  };
  op.out_of_time = [&](const std::vector<std::size_t>&) -> Status {
    if (last_error) return *last_error;
    return Error(make_error_code(ClientErrc::timed_out), "list offsets: out of time");
  };
  const Target unused;  // op.route picks each batch's leader
  std::vector<std::size_t> items = all_items(partitions.size());
  auto st = co_await run_items(s, attempts, unused, items, op);
  if (!st) co_return std::move(st).error();
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

}  // namespace sluice::client::admin_ops
