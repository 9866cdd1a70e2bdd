// SyncGroup (key 14): the leader hands in the assignment, which is stored in ZooKeeper before every
// member gets its part; followers wait for it.
#include "protocol/messages/sync_group.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::SyncGroupResponse> handle_sync_group(
    Services& services, protocol::SyncGroupRequest request, const RequestContext& ctx) {
  return services.groups->sync_group(std::move(request), ctx.header.api_version);
}

}  // namespace

void add_sync_group(Router& router, Services& services) {
  add_api<RunOn::control>(router, services, protocol::kSyncGroupApi, &handle_sync_group);
}

}  // namespace sluice::broker::handlers
