// JoinGroup (key 11): a member joins or rejoins a group; the answer waits until the rebalance's
// join phase ends (broker/groups/group.h). v4+ new members first get MEMBER_ID_REQUIRED with their
// id.
#include "protocol/messages/join_group.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::JoinGroupResponse> run(Services& services,
                                                        protocol::JoinGroupRequest request,
                                                        const RequestContext& ctx) {
  // Named arguments: GCC 12 mishandles some temporaries passed by value into a coroutine.
  std::string client_id = ctx.header.client_id.value_or("");
  std::string host = client_host(ctx);
  return services.groups->join_group(std::move(request), ctx.header.api_version,
                                     std::move(client_id), std::move(host));
}

}  // namespace

void add_join_group(Router& router, Services& services) {
  add_group_api<protocol::JoinGroupRequest, protocol::JoinGroupResponse>(
      router, services, protocol::kJoinGroupApi, &run);
}

}  // namespace sluice::broker::handlers
