// DescribeGroups (key 15): state, protocol and members of groups this broker coordinates.
#include "protocol/messages/describe_groups.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::DescribeGroupsResponse> handle_describe_groups(
    Services& services, protocol::DescribeGroupsRequest request, const RequestContext& /*ctx*/) {
  return services.groups->describe_groups(std::move(request));
}

}  // namespace

void add_describe_groups(Router& router, Services& services) {
  add_api<RunOn::control>(router, services, protocol::kDescribeGroupsApi, &handle_describe_groups);
}

}  // namespace sluice::broker::handlers
