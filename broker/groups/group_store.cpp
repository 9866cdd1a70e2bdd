// ZooKeeper reads and fenced multi writes of a group's znodes (see group_store.h).
// No structured bindings in these coroutines (see docs/conventions.md, Coroutines).
#include "broker/groups/group_store.h"

#include <charconv>

#include "common/log.h"
#include "coordination/zk_error.h"

namespace sluice::broker::groups {
namespace {

using coordination::ZkErrc;
using coordination::ZkOp;

bool view_mismatch(const Error& e) {
  return e == ZkErrc::node_exists || e == ZkErrc::no_node || e == ZkErrc::not_empty;
}

std::optional<int32_t> parse_partition(std::string_view s) {
  int32_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

bool is_fenced(const Error& error) {
  return (error == ZkErrc::bad_version || error == ZkErrc::no_node) &&
         error.context().rfind("op 0: check", 0) == 0;
}

awaitable<Result<std::vector<std::string>>> read_group_ids(coordination::ZkSession& zk) {
  auto names = co_await zk.children("/consumers");
  if (!names) {
    if (names.error() == ZkErrc::no_node) co_return std::vector<std::string>{};
    co_return std::move(names).error();
  }
  std::vector<std::string> out;
  for (const auto& name : *names) {
    auto id = decode_znode_name(name);
    if (id && !id->empty()) out.push_back(std::move(*id));
  }
  co_return out;
}

awaitable<Result<LoadedGroup>> read_group(coordination::ZkSession& zk, const std::string& group) {
  LoadedGroup out;
  auto node = co_await zk.get(group_path(group));
  if (!node) {
    if (node.error() == ZkErrc::no_node) co_return out;
    co_return std::move(node).error();
  }
  out.stored.node = true;
  auto record = decode_group(node->data);
  if (record) {
    out.record = std::move(*record);
  } else {
    SLUICE_LOG(warning) << "group " << group << ": " << record.error().to_string()
                        << "; treating it as empty";
    out.record = GroupRecord{};
    out.record->state = "Empty";
  }

  auto members = co_await zk.children(members_path(group));
  if (!members && members.error() != ZkErrc::no_node) co_return std::move(members).error();
  if (members) {
    out.stored.members_node = true;
    for (const auto& name : *members) {
      auto id = decode_znode_name(name);
      if (!id) continue;
      out.stored.members.insert(*id);
      auto data = co_await zk.get(members_path(group) + "/" + name);
      if (!data) {
        if (data.error() == ZkErrc::no_node) {
          out.stored.members.erase(*id);
          continue;
        }
        co_return std::move(data).error();
      }
      auto member = decode_member(data->data);
      if (!member) {
        SLUICE_LOG(warning) << "group " << group << " member " << *id << ": "
                            << member.error().to_string();
        continue;
      }
      out.record->members.push_back(std::move(*member));
    }
  }

  auto topics = co_await zk.children(offsets_path(group));
  if (!topics && topics.error() != ZkErrc::no_node) co_return std::move(topics).error();
  if (topics) {
    out.stored.offsets_node = true;
    for (const auto& topic_name : *topics) {
      auto topic = decode_znode_name(topic_name);
      if (!topic) continue;
      out.stored.offset_topics.insert(*topic);
      const std::string topic_path = offsets_path(group) + "/" + topic_name;
      auto partitions = co_await zk.children(topic_path);
      if (!partitions) {
        if (partitions.error() == ZkErrc::no_node) {
          out.stored.offset_topics.erase(*topic);
          continue;
        }
        co_return std::move(partitions).error();
      }
      for (const auto& p : *partitions) {
        auto partition = parse_partition(p);
        if (!partition) continue;
        auto data = co_await zk.get(topic_path + "/" + p);
        if (!data) {
          if (data.error() == ZkErrc::no_node) continue;
          co_return std::move(data).error();
        }
        auto offset = decode_offset(data->data);
        if (!offset) {
          SLUICE_LOG(warning) << "group " << group << " offset " << *topic << "-" << *partition
                              << ": " << offset.error().to_string();
          continue;
        }
        out.stored.offsets[TopicPartitionKey(*topic, *partition)] = *offset;
      }
    }
  }
  co_return out;
}

// After a fenced multi failed: when only our view of the group's znodes was stale (another
// writer, first attempt), re-reads them into `stored` and says to try again; otherwise returns
// the failure (a lost fence, a ZooKeeper error, or a second mismatch).
awaitable<Status> reread_if_stale(coordination::ZkSession& zk, const std::string& group,
                                  int attempt, Error failure, StoredGroup& stored) {
  if (attempt > 0 || is_fenced(failure) || !view_mismatch(failure)) co_return failure;
  auto fresh = co_await read_group(zk, group);
  if (!fresh) co_return std::move(fresh).error();
  stored = std::move(fresh->stored);
  co_return Status{};
}

awaitable<Status> store_group(coordination::ZkSession& zk, const Fence& fence,
                              const std::string& group, const GroupRecord& record,
                              int32_t coordinator_id, StoredGroup& stored) {
  GroupRecord header = record;
  header.coordinator = coordinator_id;
  const std::string group_json = encode_group(header);
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<ZkOp> ops;
    ops.push_back(ZkOp::check(fence.slot_path, fence.version));
    if (stored.node)
      ops.push_back(ZkOp::set(group_path(group), group_json));
    else
      ops.push_back(ZkOp::create(group_path(group), group_json));
    if (!stored.members_node) ops.push_back(ZkOp::create(members_path(group), ""));
    std::set<std::string> keep;
    for (const auto& m : record.members) {
      keep.insert(m.member_id);
      std::string json = encode_member(m, record.protocol_type);
      if (stored.members.count(m.member_id))
        ops.push_back(ZkOp::set(member_path(group, m.member_id), std::move(json)));
      else
        ops.push_back(ZkOp::create(member_path(group, m.member_id), std::move(json)));
    }
    for (const auto& id : stored.members) {
      if (!keep.count(id)) ops.push_back(ZkOp::remove(member_path(group, id)));
    }
    auto done = co_await zk.multi(std::move(ops));
    if (done) {
      stored.node = true;
      stored.members_node = true;
      stored.members = std::move(keep);
      co_return Status{};
    }
    auto again = co_await reread_if_stale(zk, group, attempt, std::move(done).error(), stored);
    if (!again) co_return std::move(again).error();
  }
  co_return Status{};
}

awaitable<Status> store_offsets(coordination::ZkSession& zk, const Fence& fence,
                                const std::string& group, const GroupRecord& record,
                                int32_t coordinator_id,
                                const std::map<TopicPartitionKey, OffsetRecord>& commits,
                                StoredGroup& stored) {
  if (commits.empty()) co_return Status{};
  GroupRecord header = record;
  header.coordinator = coordinator_id;
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<ZkOp> ops;
    ops.push_back(ZkOp::check(fence.slot_path, fence.version));
    if (!stored.node) ops.push_back(ZkOp::create(group_path(group), encode_group(header)));
    if (!stored.members_node) ops.push_back(ZkOp::create(members_path(group), ""));
    if (!stored.offsets_node) ops.push_back(ZkOp::create(offsets_path(group), ""));
    std::set<std::string> new_topics;
    for (const auto& commit : commits) {
      const std::string& topic = commit.first.first;
      const int32_t partition = commit.first.second;
      if (!stored.offset_topics.count(topic) && !new_topics.count(topic)) {
        ops.push_back(ZkOp::create(offset_topic_path(group, topic), ""));
        new_topics.insert(topic);
      }
      std::string json = encode_offset(commit.second);
      if (stored.offsets.count(commit.first))
        ops.push_back(ZkOp::set(offset_path(group, topic, partition), std::move(json)));
      else
        ops.push_back(ZkOp::create(offset_path(group, topic, partition), std::move(json)));
    }
    auto done = co_await zk.multi(std::move(ops));
    if (done) {
      stored.node = true;
      stored.members_node = true;
      stored.offsets_node = true;
      for (const auto& t : new_topics) stored.offset_topics.insert(t);
      for (const auto& commit : commits) stored.offsets[commit.first] = commit.second;
      co_return Status{};
    }
    auto again = co_await reread_if_stale(zk, group, attempt, std::move(done).error(), stored);
    if (!again) co_return std::move(again).error();
  }
  co_return Status{};
}

awaitable<Status> remove_offsets(coordination::ZkSession& zk, const Fence& fence,
                                 const std::string& group,
                                 const std::vector<TopicPartitionKey>& partitions,
                                 StoredGroup& stored) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<ZkOp> ops;
    ops.push_back(ZkOp::check(fence.slot_path, fence.version));
    std::set<TopicPartitionKey> removing;
    for (const auto& key : partitions) {
      if (stored.offsets.count(key) && removing.insert(key).second) {
        ops.push_back(ZkOp::remove(offset_path(group, key.first, key.second)));
      }
    }
    if (removing.empty()) co_return Status{};
    // Topic znodes left without any partition go too.
    std::set<std::string> emptied;
    for (const auto& key : removing) {
      bool left = false;
      for (const auto& entry : stored.offsets) {
        if (entry.first.first == key.first && !removing.count(entry.first)) {
          left = true;
          break;
        }
      }
      if (!left && stored.offset_topics.count(key.first) && emptied.insert(key.first).second) {
        ops.push_back(ZkOp::remove(offset_topic_path(group, key.first)));
      }
    }
    auto done = co_await zk.multi(std::move(ops));
    if (done) {
      for (const auto& key : removing) stored.offsets.erase(key);
      for (const auto& t : emptied) stored.offset_topics.erase(t);
      co_return Status{};
    }
    auto again = co_await reread_if_stale(zk, group, attempt, std::move(done).error(), stored);
    if (!again) co_return std::move(again).error();
  }
  co_return Status{};
}

awaitable<Status> remove_group(coordination::ZkSession& zk, const Fence& fence,
                               const std::string& group, StoredGroup& stored) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!stored.node) co_return Status{};
    std::vector<ZkOp> ops;
    ops.push_back(ZkOp::check(fence.slot_path, fence.version));
    for (const auto& entry : stored.offsets) {
      ops.push_back(ZkOp::remove(offset_path(group, entry.first.first, entry.first.second)));
    }
    for (const auto& t : stored.offset_topics)
      ops.push_back(ZkOp::remove(offset_topic_path(group, t)));
    if (stored.offsets_node) ops.push_back(ZkOp::remove(offsets_path(group)));
    for (const auto& id : stored.members) ops.push_back(ZkOp::remove(member_path(group, id)));
    if (stored.members_node) ops.push_back(ZkOp::remove(members_path(group)));
    ops.push_back(ZkOp::remove(group_path(group)));
    auto done = co_await zk.multi(std::move(ops));
    if (done) {
      stored = StoredGroup{};
      co_return Status{};
    }
    auto again = co_await reread_if_stale(zk, group, attempt, std::move(done).error(), stored);
    if (!again) co_return std::move(again).error();
  }
  co_return Status{};
}

}  // namespace sluice::broker::groups
