// The consumer-group APIs' registration (one file per API in this folder) and what they
// share: each handler calls the group coordinator's function for its API, and runs on the
// control executor, where the coordinator lives (add_api<RunOn::control>, adapter.h).
// Internal to broker/handlers.
#pragma once

#include <string>
#include <utility>

#include "broker/groups/group_coordinator.h"
#include "broker/handlers/adapter.h"
#include "broker/handlers/handler_util.h"

namespace sluice::broker::handlers {

// Registers FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
// OffsetFetch, DescribeGroups, ListGroups, DeleteGroups and OffsetDelete.
void add_group_apis(Router& router, Services& services);

void add_find_coordinator(Router& router, Services& services);
void add_join_group(Router& router, Services& services);
void add_sync_group(Router& router, Services& services);
void add_heartbeat(Router& router, Services& services);
void add_leave_group(Router& router, Services& services);
void add_offset_commit(Router& router, Services& services);
void add_offset_fetch(Router& router, Services& services);
void add_describe_groups(Router& router, Services& services);
void add_list_groups(Router& router, Services& services);
void add_delete_groups(Router& router, Services& services);
void add_offset_delete(Router& router, Services& services);

// The client's address as Kafka reports it in DescribeGroups: "/127.0.0.1".
std::string client_host(const RequestContext& ctx);

}  // namespace sluice::broker::handlers
