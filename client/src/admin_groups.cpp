// Admin: consumer groups and their committed offsets. A group's requests go to its
// coordinator (re-found after a coordinator error), one group at a time; listing asks every
// broker, since each coordinates some groups. A group's last answer stands when time runs
// out.
#include <algorithm>

#include "client/src/admin_internal.h"
#include "protocol/error_codes.h"
#include "protocol/group_protocol.h"
#include "protocol/messages/delete_groups.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_fetch.h"

namespace sluice::client::admin_ops {
namespace {

std::vector<TopicPartition> to_partitions(const std::vector<proto::TopicPartitions>& in) {
  std::vector<TopicPartition> out;
  for (const auto& t : in) {
    for (int32_t p : t.partitions) out.push_back({t.topic, p});
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A retriable group error: ask again, after re-finding the coordinator if it was the
// coordinator's.
Verdict again_for(int16_t code) {
  return is_coordinator_code(code) ? Verdict::reroute : Verdict::retry;
}

// Time ran out: the last answer (already recorded) stands.
Status last_answer_stands(const std::vector<std::size_t>&) { return ok_status(); }

MemberDescription describe_member(const proto::DescribedGroup& g,
                                  const proto::DescribedGroupMember& m) {
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
  return md;
}

// The committed offsets in an OffsetFetch response (v0-7 per topic, v8+ per group), or the
// first partition's error.
Result<std::map<TopicPartition, OffsetAndMetadata>> committed_offsets(
    const proto::OffsetFetchResponse& resp, const std::string& group) {
  std::map<TopicPartition, OffsetAndMetadata> out;
  std::optional<Error> partition_error;
  auto take = [&](const std::string& topic, const auto& p) {  // v0-7 and v8+ partitions
    if (p.error_code != 0) {
      if (!partition_error) {
        partition_error = kafka_error(p.error_code, std::nullopt,
                                      "fetch offset of group " + group + " for " + topic + "-" +
                                          std::to_string(p.partition_index));
      }
      return;
    }
    if (p.committed_offset < 0) return;  // no commit
    out[TopicPartition{topic, p.partition_index}] =
        OffsetAndMetadata{p.committed_offset, p.committed_leader_epoch, p.metadata.value_or("")};
  };
  for (const auto& t : resp.topics) {
    for (const auto& p : t.partitions) take(t.name, p);
  }
  for (const auto& rg : resp.groups) {
    for (const auto& t : rg.topics) {
      for (const auto& p : t.partitions) take(t.name, p);
    }
  }
  if (partition_error) return std::move(*partition_error);
  return out;
}

proto::OffsetFetchRequest offset_fetch_request(
    const std::string& group, const std::optional<std::vector<TopicPartition>>& partitions) {
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
  return req;
}

proto::OffsetCommitRequest offset_commit_request(const std::string& group,
                                                 const std::map<TopicPartition, int64_t>& offsets) {
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
  return req;
}

// One item: the group (or broker) an operation asks about.
std::vector<std::size_t> one_item() { return {0}; }

awaitable<Result<GroupDescription>> describe_group(State s, Attempts& attempts, std::string group) {
  std::optional<proto::DescribedGroup> answer;
  ItemRequests<proto::DescribeGroupsRequest, proto::DescribeGroupsResponse> op;
  op.api = &proto::kDescribeGroupsApi;
  op.build = [&](const std::vector<std::size_t>&) {
    proto::DescribeGroupsRequest req;
    req.groups.push_back(group);
    return req;
  };
  op.read = [&](const proto::DescribeGroupsResponse& resp, std::size_t) -> Result<Verdict> {
    if (resp.groups.size() != 1) {
      return Error(make_error_code(ClientErrc::protocol_error),
                   "DescribeGroups: no result for group " + group);
    }
    answer = resp.groups[0];
    if (answer->error_code != 0 && retriable_code(answer->error_code))
      return again_for(answer->error_code);
    return Verdict::done;
  };
  op.out_of_time = last_answer_stands;
  const Target coordinator{Route::coordinator, -1, group};
  std::vector<std::size_t> items = one_item();
  auto st = co_await run_items(s, attempts, coordinator, items, op);
  if (!st) co_return std::move(st).error();

  const proto::DescribedGroup& g = *answer;
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
  for (const auto& m : g.members) d.members.push_back(describe_member(g, m));
  co_return d;
}

awaitable<Result<ItemStatus>> delete_group(State s, Attempts& attempts, std::string group) {
  ItemStatus item{group, ok_status()};
  ItemRequests<proto::DeleteGroupsRequest, proto::DeleteGroupsResponse> op;
  op.api = &proto::kDeleteGroupsApi;
  op.build = [&](const std::vector<std::size_t>&) {
    proto::DeleteGroupsRequest req;
    req.groups_names.push_back(group);
    return req;
  };
  op.read = [&](const proto::DeleteGroupsResponse& resp, std::size_t) -> Result<Verdict> {
    auto it =
        std::find_if(resp.results.begin(), resp.results.end(),
                     [&](const proto::DeletableGroupResult& r) { return r.group_id == group; });
    if (it == resp.results.end()) {
      item.status =
          Error(make_error_code(ClientErrc::protocol_error), "no result for group " + group);
      return Verdict::done;
    }
    if (it->error_code == 0) {
      item.status = ok_status();
      return Verdict::done;
    }
    item.status = kafka_error(it->error_code, std::nullopt, "delete group " + group);
    return retriable_code(it->error_code) ? again_for(it->error_code) : Verdict::done;
  };
  op.out_of_time = last_answer_stands;
  const Target coordinator{Route::coordinator, -1, group};
  std::vector<std::size_t> items = one_item();
  auto st = co_await run_items(s, attempts, coordinator, items, op);
  if (!st) co_return std::move(st).error();
  co_return item;
}

}  // namespace

awaitable<Result<std::vector<GroupListing>>> list_groups(State s, std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  // Every broker coordinates some groups: ask them all.
  std::optional<std::vector<std::string>> no_topics = std::vector<std::string>{};
  auto md = co_await fetch_metadata(s, attempts, no_topics);
  if (!md) co_return std::move(md).error();
  std::vector<GroupListing> out;
  for (const auto& b : md->brokers) {
    const std::string broker = "list groups of broker " + std::to_string(b.node_id);
    std::optional<Error> failure;  // the broker's last answer, when an error
    ItemRequests<proto::ListGroupsRequest, proto::ListGroupsResponse> op;
    op.api = &proto::kListGroupsApi;
    op.build = [](const std::vector<std::size_t>&) { return proto::ListGroupsRequest{}; };
    op.read = [&](const proto::ListGroupsResponse& resp, std::size_t) -> Result<Verdict> {
      if (resp.error_code != 0) {
        failure = kafka_error(resp.error_code, std::nullopt, broker);
        return retriable_code(resp.error_code) ? Verdict::retry : Verdict::done;
      }
      failure.reset();
      for (const auto& g : resp.groups)
        out.push_back({g.group_id, g.protocol_type, g.group_state, b.node_id});
      return Verdict::done;
    };
    op.out_of_time = last_answer_stands;
    const Target node{Route::node, b.node_id};
    std::vector<std::size_t> items = one_item();
    auto st = co_await run_items(s, attempts, node, items, op);
    if (!st) co_return Error(st.error().code(), broker + ": " + st.error().context());
    if (failure) co_return std::move(*failure);
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
    auto item = co_await delete_group(s, attempts, group);
    if (!item) co_return std::move(item).error();
    out.push_back(std::move(*item));
  }
  co_return out;
}

awaitable<Result<std::map<TopicPartition, OffsetAndMetadata>>> list_group_offsets(
    State s, std::string group, std::optional<std::vector<TopicPartition>> partitions,
    std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  const proto::OffsetFetchRequest request = offset_fetch_request(group, partitions);
  std::optional<Result<std::map<TopicPartition, OffsetAndMetadata>>> answer;
  ItemRequests<proto::OffsetFetchRequest, proto::OffsetFetchResponse> op;
  op.api = &proto::kOffsetFetchApi;
  op.min_version = 2;  // v2+: null topics means every partition with a commit
  op.build = [&](const std::vector<std::size_t>&) { return request; };
  op.read = [&](const proto::OffsetFetchResponse& resp, std::size_t) -> Result<Verdict> {
    int16_t group_error = resp.error_code;
    if (!resp.groups.empty()) group_error = resp.groups[0].error_code;
    if (group_error != 0) {
      answer = kafka_error(group_error, std::nullopt, "fetch offsets of group " + group);
      return retriable_code(group_error) ? again_for(group_error) : Verdict::done;
    }
    answer = committed_offsets(resp, group);
    // A partition's retriable error: ask again, the coordinator stays.
    if (!*answer && retriable_code(static_cast<int16_t>(kafka_code(answer->error()))))
      return Verdict::retry;
    return Verdict::done;
  };
  op.out_of_time = last_answer_stands;
  const Target coordinator{Route::coordinator, -1, group};
  std::vector<std::size_t> items = one_item();
  auto st = co_await run_items(s, attempts, coordinator, items, op);
  if (!st) co_return std::move(st).error();
  co_return std::move(*answer);
}

awaitable<Result<bool>> alter_group_offsets(State s, std::string group,
                                            std::map<TopicPartition, int64_t> offsets,
                                            std::optional<Millis> timeout) {
  Attempts attempts(s->config, timeout);
  const proto::OffsetCommitRequest request = offset_commit_request(group, offsets);
  std::optional<Error> failure;  // the last answer, when an error
  ItemRequests<proto::OffsetCommitRequest, proto::OffsetCommitResponse> op;
  op.api = &proto::kOffsetCommitApi;
  op.build = [&](const std::vector<std::size_t>&) { return request; };
  op.read = [&](const proto::OffsetCommitResponse& resp, std::size_t) -> Result<Verdict> {
    int16_t first_code = 0;
    bool retry = false;
    std::string failed;
    for (const auto& t : resp.topics) {
      for (const auto& p : t.partitions) {
        if (p.error_code == 0) continue;
        if (first_code == 0) first_code = p.error_code;
        if (retriable_code(p.error_code)) retry = true;
        if (!failed.empty()) failed += ", ";
        failed += t.name + "-" + std::to_string(p.partition_index) + " " +
                  std::string(proto::kafka_error_name(p.error_code));
      }
    }
    if (first_code == 0) {
      failure.reset();
      return Verdict::done;
    }
    failure = kafka_error(first_code, failed, "commit offsets of group " + group);
    return retry ? again_for(first_code) : Verdict::done;
  };
  op.out_of_time = last_answer_stands;
  const Target coordinator{Route::coordinator, -1, group};
  std::vector<std::size_t> items = one_item();
  auto st = co_await run_items(s, attempts, coordinator, items, op);
  if (!st) co_return std::move(st).error();
  if (failure) co_return std::move(*failure);
  co_return true;
}

}  // namespace sluice::client::admin_ops
