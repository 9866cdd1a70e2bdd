// The inside of GroupCoordinator, shared by its source files (not for use outside
// broker/groups). Impl owns the pieces; each source file holds one seam:
//
//   group_coordinator.cpp  lifecycle (start, the run loop, stop), FindCoordinator
//   slot_ownership.cpp     following /coordinators: watches, taking and giving up slots,
//                          loading groups, and locate(): may this broker answer for a group?
//   group_writes.cpp       a loaded group's fenced ZooKeeper writes, one at a time
//   group_apis.cpp         JoinGroup, SyncGroup, Heartbeat, LeaveGroup, DescribeGroups,
//                          ListGroups, DeleteGroups
//   offset_apis.cpp        OffsetCommit, OffsetFetch, OffsetDelete, offsets of deleted topics
//   offset_expiry.cpp      offsets.retention.minutes, and removing groups left with nothing
//
// Everything runs on the control executor (the ZkSession's), so no locks guard the state;
// coroutines take `self` (a shared_ptr) rather than capturing it (see docs/conventions.md,
// Coroutines).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/groups/group.h"
#include "broker/groups/group_coordinator.h"
#include "broker/groups/group_store.h"
#include "broker/groups/group_table.h"
#include "broker/groups/slot_table.h"
#include "coordination/zk_session.h"
#include "protocol/error_codes.h"

namespace sluice::broker::groups {

// A broker config value as a number, `fallback` when unset or not a number.
int64_t config_or(const config::BrokerConfig& config, std::string_view key, int64_t fallback);

// Offset settings (offsets.retention.*, offset.metadata.max.bytes).
struct OffsetSettings {
  int64_t retention_ms = 0;
  std::chrono::milliseconds retention_check{600000};
  int64_t metadata_max_bytes = 4096;
};

struct GroupCoordinator::Impl : std::enable_shared_from_this<Impl> {
  Impl(coordination::ZkSession& zk_session, const config::BrokerConfig& cfg,
       const cluster::MetadataCache& md);

  // ---- shared by every part ----
  coordination::ZkSession& zk;
  const config::BrokerConfig& config;
  const cluster::MetadataCache& metadata;
  const int32_t broker_id;
  GroupEnv env;  // what every Group shares (group.* settings, clocks, persist)
  OffsetSettings offsets;
  bool stopped = false;
  SlotTable slots;    // which slots are ours (slot_ownership.cpp changes it)
  GroupTable groups;  // the groups of our slots

  // ---- the run loop (group_coordinator.cpp) ----
  boost::asio::steady_timer wake;  // cancelled to wake run()
  bool slots_dirty = true;         // re-read the slots at once
  int listener_id = -1;
  std::optional<Clock::time_point> disconnected_since;
  // Wakes run() to re-read the slots.
  void poke();
  // Runs `task` on the control executor, detached (it holds `self` to keep Impl alive).
  void spawn(awaitable<void> task);

  // ---- slot ownership (slot_ownership.cpp) ----
  void on_session_event(coordination::SessionEvent event);
  // Reads every slot znode (arming one watch per slot) and takes or gives up slots.
  static awaitable<void> refresh_slots(std::shared_ptr<Impl> self);
  // Gives up every slot: after a session loss, or when stopping.
  void release_all(const char* why);
  // NONE with the group's entry (null when the group is unknown), or the error to answer:
  // INVALID_GROUP_ID for an empty id, else whatever says this broker cannot serve it now.
  protocol::KafkaErrc locate(const std::string& group, std::shared_ptr<GroupEntry>& out);
  // locate() for reads and deletions, looking in ZooKeeper before calling a group unknown.
  static awaitable<protocol::KafkaErrc> locate_or_load(std::shared_ptr<Impl> self,
                                                       std::string group,
                                                       std::shared_ptr<GroupEntry>& out);
  // A new Empty group of ours.
  std::shared_ptr<GroupEntry> create_entry(const std::string& group);

  // ---- fenced writes of one group (group_writes.cpp) ----
  // Each takes the group's lock, answers NOT_COORDINATOR once the group is unloaded, and turns
  // a failed write into the error to answer (store_error).
  void persist(const std::string& group, GroupRecord record,
               std::function<void(protocol::KafkaErrc)> done);
  static awaitable<protocol::KafkaErrc> write_group(std::shared_ptr<Impl> self,
                                                    std::shared_ptr<GroupEntry> entry,
                                                    GroupRecord record);
  static awaitable<protocol::KafkaErrc> write_offsets(
      std::shared_ptr<Impl> self, std::shared_ptr<GroupEntry> entry,
      std::map<TopicPartitionKey, OffsetRecord> commits);
  static awaitable<protocol::KafkaErrc> erase_offsets(std::shared_ptr<Impl> self,
                                                      std::shared_ptr<GroupEntry> entry,
                                                      std::vector<TopicPartitionKey> partitions);
  // Removes offsets in the background (topic deleted, expiry), logging the outcome.
  static awaitable<void> erase_offsets_task(std::shared_ptr<Impl> self,
                                            std::shared_ptr<GroupEntry> entry,
                                            std::vector<TopicPartitionKey> partitions,
                                            std::string why);
  // Removes an Empty group's znodes (NON_EMPTY_GROUP otherwise; with `only_if_unused`, also
  // when it has members or offsets) and unloads it.
  static awaitable<protocol::KafkaErrc> erase_group(std::shared_ptr<Impl> self,
                                                    std::shared_ptr<GroupEntry> entry,
                                                    bool only_if_unused);
  protocol::KafkaErrc store_error(const Error& error, const std::string& group, int32_t slot);

  // ---- offset expiry (offset_expiry.cpp) ----
  // Expired offsets of empty groups, then groups left with nothing.
  static awaitable<void> expire_offsets(std::shared_ptr<Impl> self);
};

}  // namespace sluice::broker::groups
