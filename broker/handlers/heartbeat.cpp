// Heartbeat (key 12): keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
#include "protocol/messages/heartbeat.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::HeartbeatResponse> run(Services& services,
                                                        protocol::HeartbeatRequest request,
                                                        const RequestContext& ctx) {
  (void)ctx;
  return services.groups->heartbeat(std::move(request));
}

}  // namespace

void add_heartbeat(Router& router, Services& services) {
  add_group_api<protocol::HeartbeatRequest, protocol::HeartbeatResponse>(
      router, services, protocol::kHeartbeatApi, &run);
}

}  // namespace sluice::broker::handlers
