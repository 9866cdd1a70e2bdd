// JoinGroup (key 11): a member joins or rejoins a group; the answer waits until the rebalance's
// join phase ends (broker/groups/group.h). v4+ new members first get MEMBER_ID_REQUIRED with their
// id.
#include "protocol/messages/join_group.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::JoinGroupResponse> handle_join_group(
    Services& services, protocol::JoinGroupRequest request, const RequestContext& ctx) {
  // Named arguments, not temporaries (see docs/conventions.md, Coroutines).
  std::string client_id = ctx.header.client_id.value_or("");
  std::string host = client_host(ctx);
  return services.groups->join_group(std::move(request), ctx.header.api_version,
                                     std::move(client_id), std::move(host));
}

}  // namespace

void add_join_group(Router& router, Services& services) {
  add_api<RunOn::control>(router, services, protocol::kJoinGroupApi, &handle_join_group);
}

}  // namespace sluice::broker::handlers
