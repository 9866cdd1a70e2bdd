// Heartbeat (key 12): keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
#include "protocol/messages/heartbeat.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::HeartbeatResponse> handle_heartbeat(
    Services& services, protocol::HeartbeatRequest request, const RequestContext& /*ctx*/) {
  return services.groups->heartbeat(std::move(request));
}

}  // namespace

void add_heartbeat(Router& router, Services& services) {
  add_api<RunOn::control>(router, services, protocol::kHeartbeatApi, &handle_heartbeat);
}

}  // namespace sluice::broker::handlers
