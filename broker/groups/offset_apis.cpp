// Committed offsets: OffsetCommit, OffsetFetch, OffsetDelete, and dropping the offsets of
// deleted topics. The coordinator keeps the committed offsets of its groups in memory
// (GroupEntry::stored, loaded with the group) and answers OffsetFetch from there.
#include <set>

#include "broker/cluster/metadata.h"
#include "broker/groups/coordinator_impl.h"

namespace sluice::broker::groups {
namespace {

using Impl = GroupCoordinator::Impl;
using protocol::KafkaErrc;
using protocol::to_wire;

// ---- OffsetCommit ----

// One answer per requested partition, NONE until something says otherwise.
protocol::OffsetCommitResponse commit_response_for(const protocol::OffsetCommitRequest& request) {
  protocol::OffsetCommitResponse response;
  for (const auto& t : request.topics) {
    protocol::OffsetCommitResponseTopic topic;
    topic.name = t.name;
    for (const auto& p : t.partitions) {
      protocol::OffsetCommitResponsePartition part;
      part.partition_index = p.partition_index;
      topic.partitions.push_back(part);
    }
    response.topics.push_back(std::move(topic));
  }
  return response;
}

// Answers `error` for every partition not answered yet.
void fail_all(protocol::OffsetCommitResponse& response, KafkaErrc error) {
  for (auto& t : response.topics) {
    for (auto& p : t.partitions) {
      if (p.error_code == to_wire(KafkaErrc::none)) p.error_code = to_wire(error);
    }
  }
}

// The offsets to store: the requested partitions, except those answered here with an error
// (unknown partition, metadata too long).
std::map<TopicPartitionKey, OffsetRecord> commits_of(const protocol::OffsetCommitRequest& request,
                                                     int16_t version, const Impl& impl,
                                                     protocol::OffsetCommitResponse& response) {
  auto snapshot = impl.metadata.current();
  const int64_t now = impl.env.wall_ms();
  std::map<TopicPartitionKey, OffsetRecord> commits;
  for (std::size_t ti = 0; ti < request.topics.size(); ++ti) {
    const auto& t = request.topics[ti];
    for (std::size_t pi = 0; pi < t.partitions.size(); ++pi) {
      const auto& p = t.partitions[pi];
      auto& out = response.topics[ti].partitions[pi];
      if (snapshot->partition(t.name, p.partition_index) == nullptr) {
        out.error_code = to_wire(KafkaErrc::unknown_topic_or_partition);
        continue;
      }
      const std::string metadata = p.committed_metadata.value_or("");
      if (static_cast<int64_t>(metadata.size()) > impl.offsets.metadata_max_bytes) {
        out.error_code = to_wire(KafkaErrc::offset_metadata_too_large);
        continue;
      }
      OffsetRecord rec;
      rec.offset = p.committed_offset;
      rec.leader_epoch = p.committed_leader_epoch;
      rec.metadata = metadata;
      rec.commit_timestamp_ms =
          (version == 1 && p.commit_timestamp >= 0) ? p.commit_timestamp : now;
      commits[TopicPartitionKey(t.name, p.partition_index)] = std::move(rec);
    }
  }
  return commits;
}

// ---- OffsetFetch ----

struct FetchedPartition {
  int32_t partition = 0;
  OffsetRecord offset;  // offset -1 when none
};
struct FetchedTopic {
  std::string name;
  std::vector<FetchedPartition> partitions;
};

// The committed offsets of `requested` (nullopt: all the group has).
std::vector<FetchedTopic> fetch_from(
    const GroupEntry* entry,
    const std::optional<std::vector<protocol::OffsetFetchRequestTopic>>& requested) {
  std::vector<FetchedTopic> out;
  if (!requested) {
    if (entry == nullptr) return out;
    for (const auto& o : entry->stored.offsets) {
      if (out.empty() || out.back().name != o.first.first) out.push_back({o.first.first, {}});
      out.back().partitions.push_back({o.first.second, o.second});
    }
    return out;
  }
  for (const auto& t : *requested) {
    FetchedTopic topic{t.name, {}};
    for (int32_t p : t.partition_indexes) {
      FetchedPartition fp{p, OffsetRecord{}};
      if (entry != nullptr) {
        auto it = entry->stored.offsets.find(TopicPartitionKey(t.name, p));
        if (it != entry->stored.offsets.end()) fp.offset = it->second;
      }
      topic.partitions.push_back(std::move(fp));
    }
    out.push_back(std::move(topic));
  }
  return out;
}

// OffsetFetch v8+: one group of the request.
protocol::OffsetFetchResponseGroup fetched_group(const protocol::OffsetFetchRequestGroup& g,
                                                 KafkaErrc error, const GroupEntry* entry) {
  protocol::OffsetFetchResponseGroup group;
  group.group_id = g.group_id;
  group.error_code = to_wire(error);
  if (error != KafkaErrc::none) return group;
  for (auto& t : fetch_from(entry, g.topics)) {
    protocol::OffsetFetchResponseTopics topic;
    topic.name = t.name;
    for (const auto& p : t.partitions) {
      protocol::OffsetFetchResponsePartitions part;
      part.partition_index = p.partition;
      part.committed_offset = p.offset.offset;
      part.committed_leader_epoch = p.offset.leader_epoch;
      part.metadata = p.offset.metadata;
      topic.partitions.push_back(std::move(part));
    }
    group.topics.push_back(std::move(topic));
  }
  return group;
}

}  // namespace

awaitable<protocol::OffsetCommitResponse> GroupCoordinator::commit_offsets(
    protocol::OffsetCommitRequest request, int16_t version) {
  auto self = impl_;
  protocol::OffsetCommitResponse response = commit_response_for(request);
  std::shared_ptr<GroupEntry> entry;
  if (KafkaErrc error = self->locate(request.group_id, entry); error != KafkaErrc::none) {
    fail_all(response, error);
    co_return response;
  }
  if (!entry) {
    if (request.generation_id >= 0) {
      // A member of a generation of a group that does not exist (any more).
      fail_all(response, KafkaErrc::illegal_generation);
      co_return response;
    }
    entry = self->create_entry(request.group_id);  // offsets-only group
  }
  MemberIdentity who{request.member_id, request.group_instance_id};
  if (KafkaErrc error = entry->group->validate_offset_commit(who, request.generation_id);
      error != KafkaErrc::none) {
    fail_all(response, error);
    self->groups.drop_if_unused(entry);
    co_return response;
  }
  auto commits = commits_of(request, version, *self, response);
  if (commits.empty()) {
    self->groups.drop_if_unused(entry);
    co_return response;
  }
  const KafkaErrc error = co_await Impl::write_offsets(self, entry, std::move(commits));
  if (error != KafkaErrc::none) fail_all(response, error);
  co_return response;
}

awaitable<protocol::OffsetFetchResponse> GroupCoordinator::fetch_offsets(
    protocol::OffsetFetchRequest request, int16_t version) {
  auto self = impl_;
  protocol::OffsetFetchResponse response;
  if (version >= 8) {
    for (const auto& g : request.groups) {
      std::shared_ptr<GroupEntry> entry;
      const KafkaErrc error = co_await Impl::locate_or_load(self, g.group_id, entry);
      response.groups.push_back(fetched_group(g, error, entry.get()));
    }
    co_return response;
  }
  std::shared_ptr<GroupEntry> entry;
  const KafkaErrc error = co_await Impl::locate_or_load(self, request.group_id, entry);
  if (error != KafkaErrc::none && version >= 2) {
    response.error_code = to_wire(error);
    co_return response;
  }
  for (auto& t : fetch_from(entry.get(), request.topics)) {
    protocol::OffsetFetchResponseTopic topic;
    topic.name = t.name;
    for (const auto& p : t.partitions) {
      protocol::OffsetFetchResponsePartition part;
      part.partition_index = p.partition;
      part.committed_offset = p.offset.offset;
      part.committed_leader_epoch = p.offset.leader_epoch;
      part.metadata = p.offset.metadata;
      part.error_code = to_wire(error);  // v0-1 carry coordinator errors per partition
      topic.partitions.push_back(std::move(part));
    }
    response.topics.push_back(std::move(topic));
  }
  co_return response;
}

awaitable<protocol::OffsetDeleteResponse> GroupCoordinator::delete_offsets(
    protocol::OffsetDeleteRequest request) {
  auto self = impl_;
  protocol::OffsetDeleteResponse response;
  std::shared_ptr<GroupEntry> entry;
  const KafkaErrc located = co_await Impl::locate_or_load(self, request.group_id, entry);
  if (located != KafkaErrc::none) {
    response.error_code = to_wire(located);
    co_return response;
  }
  if (!entry || entry->group->state() == GroupState::dead) {
    response.error_code = to_wire(KafkaErrc::group_id_not_found);
    co_return response;
  }
  const Group& g = *entry->group;
  const bool empty = g.state() == GroupState::empty;
  if (!empty && g.protocol_type() != "consumer") {
    response.error_code = to_wire(KafkaErrc::non_empty_group);
    co_return response;
  }
  auto snapshot = self->metadata.current();
  std::vector<TopicPartitionKey> removing;
  for (const auto& t : request.topics) {
    protocol::OffsetDeleteResponseTopic topic;
    topic.name = t.name;
    const bool subscribed = !empty && g.subscribed_to(t.name);
    for (const auto& p : t.partitions) {
      protocol::OffsetDeleteResponsePartition part;
      part.partition_index = p.partition_index;
      if (snapshot->partition(t.name, p.partition_index) == nullptr) {
        part.error_code = to_wire(KafkaErrc::unknown_topic_or_partition);
      } else if (subscribed) {
        part.error_code = to_wire(KafkaErrc::group_subscribed_to_topic);
      } else {
        removing.emplace_back(t.name, p.partition_index);
      }
      topic.partitions.push_back(part);
    }
    response.topics.push_back(std::move(topic));
  }
  if (removing.empty()) co_return response;
  const KafkaErrc error = co_await Impl::erase_offsets(self, entry, std::move(removing));
  if (error != KafkaErrc::none) {
    response.error_code = to_wire(error);
    response.topics.clear();
  }
  co_return response;
}

void GroupCoordinator::on_metadata(const cluster::Snapshot& previous,
                                   const cluster::Snapshot& current) {
  std::set<std::string> deleted;
  for (const auto& entry : previous.topics) {
    if (!current.topics.count(entry.first)) deleted.insert(entry.first);
  }
  if (deleted.empty() || impl_->stopped) return;
  for (const auto& g : impl_->groups.all()) {
    std::vector<TopicPartitionKey> gone;
    for (const auto& o : g.second->stored.offsets) {
      if (deleted.count(o.first.first)) gone.push_back(o.first);
    }
    if (gone.empty()) continue;
    std::string why = "topic deleted";  // a named argument (docs/conventions.md, Coroutines)
    impl_->spawn(Impl::erase_offsets_task(impl_, g.second, std::move(gone), std::move(why)));
  }
}

}  // namespace sluice::broker::groups
