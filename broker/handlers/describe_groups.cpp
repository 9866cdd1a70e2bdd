// DescribeGroups (key 15): state, protocol and members of groups this broker coordinates.
#include "protocol/messages/describe_groups.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::DescribeGroupsResponse> run(
    Services& services, protocol::DescribeGroupsRequest request, const RequestContext& ctx) {
  (void)ctx;
  return services.groups->describe_groups(std::move(request));
}

}  // namespace

void add_describe_groups(Router& router, Services& services) {
  add_group_api<protocol::DescribeGroupsRequest, protocol::DescribeGroupsResponse>(
      router, services, protocol::kDescribeGroupsApi, &run);
}

}  // namespace sluice::broker::handlers
