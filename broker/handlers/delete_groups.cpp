// DeleteGroups (key 42): empty groups and their offsets are removed from ZooKeeper.
#include "protocol/messages/delete_groups.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::DeleteGroupsResponse> handle_delete_groups(
    Services& services, protocol::DeleteGroupsRequest request, const RequestContext& /*ctx*/) {
  return services.groups->delete_groups(std::move(request));
}

}  // namespace

void add_delete_groups(Router& router, Services& services) {
  add_api<RunOn::control>(router, services, protocol::kDeleteGroupsApi, &handle_delete_groups);
}

}  // namespace sluice::broker::handlers
