// ListGroups (key 16): the groups this broker coordinates (admin clients ask every broker), v4
// filtered by state.
#include "protocol/messages/list_groups.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::ListGroupsResponse> handle_list_groups(
    Services& services, protocol::ListGroupsRequest request, const RequestContext& /*ctx*/) {
  return services.groups->list_groups(std::move(request));
}

}  // namespace

void add_list_groups(Router& router, Services& services) {
  add_api<RunOn::control>(router, services, protocol::kListGroupsApi, &handle_list_groups);
}

}  // namespace sluice::broker::handlers
