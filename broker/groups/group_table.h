// The groups a coordinator has loaded: each GroupEntry joins a group's state machine (group.h)
// with what ZooKeeper holds for it and the lock that keeps its writes one at a time. No I/O.
//
// Threading: not thread-safe; the coordinator uses it on its control executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/groups/group.h"
#include "broker/groups/group_store.h"
#include "common/async_mutex.h"
#include "protocol/error_codes.h"

namespace sluice::broker::groups {

struct GroupEntry {
  GroupEntry(std::string group_id, int32_t slot_index, const GroupEnv& env,
             boost::asio::any_io_executor executor);
  std::string id;
  int32_t slot;
  std::unique_ptr<Group> group;
  StoredGroup stored;  // what ZooKeeper holds, including the committed offsets
  AsyncMutex lock;     // one ZooKeeper write at a time
  bool unloaded = false;

  // Holds nothing: Empty, no members (pending either), no znode, no offsets.
  bool unused() const;
};

class GroupTable {
 public:
  // REQUIRES: `env` outlives the table.
  GroupTable(const GroupEnv& env, boost::asio::any_io_executor executor);

  // The entry of `group`, or null.
  std::shared_ptr<GroupEntry> find(const std::string& group) const;
  // A new Empty group of `slot`, held from now on.
  std::shared_ptr<GroupEntry> create(const std::string& group, int32_t slot);
  // A group read from ZooKeeper, held from now on. REQUIRES: loaded.record.
  std::shared_ptr<GroupEntry> restore(const std::string& group, int32_t slot, LoadedGroup loaded);
  // A group restored earlier (not held yet), held from now on.
  void add(std::shared_ptr<GroupEntry> entry);

  // Stops holding `entry`, marks it unloaded and answers its waiting requests with `error`.
  void unload(const std::shared_ptr<GroupEntry>& entry, protocol::KafkaErrc error);
  // unload() of every group of `slot`; returns how many there were.
  int unload_slot(int32_t slot, protocol::KafkaErrc error);
  // Forgets a group that holds nothing (e.g. created by a JoinGroup that failed).
  void drop_if_unused(const std::shared_ptr<GroupEntry>& entry);

  // A copy of the entries, to go over while groups come and go.
  std::vector<std::shared_ptr<GroupEntry>> snapshot() const;
  const std::map<std::string, std::shared_ptr<GroupEntry>>& all() const { return groups_; }

 private:
  void forget(const std::shared_ptr<GroupEntry>& entry);

  const GroupEnv& env_;
  boost::asio::any_io_executor executor_;
  std::map<std::string, std::shared_ptr<GroupEntry>> groups_;
};

}  // namespace sluice::broker::groups
