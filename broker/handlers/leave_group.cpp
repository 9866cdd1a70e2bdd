// LeaveGroup (key 13): members leave (one member id up to v2, a batch with static members from v3);
// the group rebalances.
#include "protocol/messages/leave_group.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::LeaveGroupResponse> handle_leave_group(
    Services& services, protocol::LeaveGroupRequest request, const RequestContext& ctx) {
  return services.groups->leave_group(std::move(request), ctx.header.api_version);
}

}  // namespace

void add_leave_group(Router& router, Services& services) {
  add_api<RunOn::control>(router, services, protocol::kLeaveGroupApi, &handle_leave_group);
}

}  // namespace sluice::broker::handlers
