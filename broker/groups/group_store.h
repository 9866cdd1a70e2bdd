// Reads and writes of one group's znodes under /consumers/<group> (layout in
// group_znodes.h and docs/groups.md). Every write is one ZooKeeper multi that starts with a
// check of the coordinator slot's znode version (the Fence): a broker that lost the slot
// cannot write, and a commit is all-or-nothing.
//
// The caller keeps a StoredGroup, this coordinator's view of which znodes exist, so writes know
// whether to create or set; when the view turns out wrong (node_exists / no_node from a
// multi), the functions re-read it from ZooKeeper and retry once.
//
// Threading: run on the ZkSession's executor. Writes of one group must not overlap (the
// coordinator holds the group's lock around them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "broker/groups/group_znodes.h"
#include "common/awaitable.h"
#include "common/result.h"
#include "coordination/zk_session.h"

namespace sluice::broker::groups {

using TopicPartitionKey = std::pair<std::string, int32_t>;

// The coordinator's fencing token: the slot znode and the version at which this broker
// became its owner.
struct Fence {
  std::string slot_path;
  int32_t version = -1;
};

// What ZooKeeper holds for a group (as far as this coordinator knows).
struct StoredGroup {
  bool node = false;                    // /consumers/<g>
  bool members_node = false;            // /consumers/<g>/members
  bool offsets_node = false;            // /consumers/<g>/offsets
  std::set<std::string> members;        // member ids with a znode
  std::set<std::string> offset_topics;  // topics with an offsets/<t> znode
  std::map<TopicPartitionKey, OffsetRecord> offsets;
};

struct LoadedGroup {
  std::optional<GroupRecord> record;  // nullopt: the group node does not exist (or is unreadable)
  StoredGroup stored;
};

// Group ids under /consumers (decoded from their znode names; foreign names are skipped).
awaitable<Result<std::vector<std::string>>> read_group_ids(coordination::ZkSession& zk);

// The group's record (with members) and committed offsets.
awaitable<Result<LoadedGroup>> read_group(coordination::ZkSession& zk, const std::string& group);

// True when `error` came from the fence: the slot changed owner (or vanished).
bool is_fenced(const Error& error);

// Writes the group node and member znodes to match `record` (members not in it are removed).
awaitable<Status> store_group(coordination::ZkSession& zk, const Fence& fence,
                              const std::string& group, const GroupRecord& record,
                              int32_t coordinator_id, StoredGroup& stored);

// Writes `commits` (creating the group node from `record` when it does not exist yet).
awaitable<Status> store_offsets(coordination::ZkSession& zk, const Fence& fence,
                                const std::string& group, const GroupRecord& record,
                                int32_t coordinator_id,
                                const std::map<TopicPartitionKey, OffsetRecord>& commits,
                                StoredGroup& stored);

// Removes the offsets of `partitions` (and topic znodes left without partitions).
awaitable<Status> remove_offsets(coordination::ZkSession& zk, const Fence& fence,
                                 const std::string& group,
                                 const std::vector<TopicPartitionKey>& partitions,
                                 StoredGroup& stored);

// Removes every znode of the group.
awaitable<Status> remove_group(coordination::ZkSession& zk, const Fence& fence,
                               const std::string& group, StoredGroup& stored);

}  // namespace sluice::broker::groups
