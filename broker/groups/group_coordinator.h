// The broker's group coordinator: it follows which coordinator slots this broker owns
// (/coordinators/<slot>, assigned by the controller), loads the groups of those slots from
// ZooKeeper (/consumers/<group>), runs their state machines (group.h), and answers the group
// APIs. Groups of slots it does not own get NOT_COORDINATOR; groups of a slot it is still
// loading get COORDINATOR_LOAD_IN_PROGRESS. Design: docs/groups.md.
//
// Threading: everything runs on the ZkSession's executor (the broker's control thread).
// Handlers on network threads call the request functions through
// co_spawn(control, coordinator.join_group(...), use_awaitable). Create, start, stop and
// destroy it on that executor too.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/awaitable.h"
#include "common/result.h"
#include "protocol/error_codes.h"
#include "protocol/messages/delete_groups.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/leave_group.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_delete.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/messages/sync_group.h"

namespace sluice::coordination {
class ZkSession;
}
namespace sluice::broker::config {
class BrokerConfig;
}
namespace sluice::broker::cluster {
class MetadataCache;
struct Snapshot;
}  // namespace sluice::broker::cluster

namespace sluice::broker::groups {

class GroupCoordinator {
 public:
  // REQUIRES: zk, config and metadata outlive the coordinator.
  GroupCoordinator(coordination::ZkSession& zk, const config::BrokerConfig& config,
                   const cluster::MetadataCache& metadata);
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // Creates /coordinators when the cluster has none (offsets.topic.num.partitions slots)
  // and learns the slot count in force. Call once, before run().
  awaitable<Status> start();
  // Follows slot ownership, loads and unloads groups, fires the groups' timers and expires
  // offsets, until stop().
  awaitable<void> run();
  // Answers every waiting JoinGroup/SyncGroup with NOT_COORDINATOR and unloads every group
  // (their state stays in ZooKeeper for the next coordinator).
  void stop();
  // Offsets of topics deleted from the cluster are removed.
  void on_metadata(const cluster::Snapshot& previous, const cluster::Snapshot& current);

  // FindCoordinator for one key: NONE and the owner's broker id, or the error.
  struct Located {
    protocol::KafkaErrc error = protocol::KafkaErrc::none;
    int32_t broker_id = -1;
  };
  awaitable<std::vector<Located>> find_coordinators(std::vector<std::string> keys, int8_t key_type);

  awaitable<protocol::JoinGroupResponse> join_group(protocol::JoinGroupRequest request,
                                                    int16_t version, std::string client_id,
                                                    std::string client_host);
  awaitable<protocol::SyncGroupResponse> sync_group(protocol::SyncGroupRequest request,
                                                    int16_t version);
  awaitable<protocol::HeartbeatResponse> heartbeat(protocol::HeartbeatRequest request);
  awaitable<protocol::LeaveGroupResponse> leave_group(protocol::LeaveGroupRequest request,
                                                      int16_t version);
  awaitable<protocol::OffsetCommitResponse> commit_offsets(protocol::OffsetCommitRequest request,
                                                           int16_t version);
  awaitable<protocol::OffsetFetchResponse> fetch_offsets(protocol::OffsetFetchRequest request,
                                                         int16_t version);
  awaitable<protocol::DescribeGroupsResponse> describe_groups(
      protocol::DescribeGroupsRequest request);
  awaitable<protocol::ListGroupsResponse> list_groups(protocol::ListGroupsRequest request);
  awaitable<protocol::DeleteGroupsResponse> delete_groups(protocol::DeleteGroupsRequest request);
  awaitable<protocol::OffsetDeleteResponse> delete_offsets(protocol::OffsetDeleteRequest request);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace sluice::broker::groups
