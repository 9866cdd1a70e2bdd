// OffsetDelete (key 47): removes committed offsets of partitions the group does not consume.
#include "protocol/messages/offset_delete.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::OffsetDeleteResponse> run(Services& services,
                                                           protocol::OffsetDeleteRequest request,
                                                           const RequestContext& ctx) {
  (void)ctx;
  return services.groups->delete_offsets(std::move(request));
}

}  // namespace

void add_offset_delete(Router& router, Services& services) {
  add_group_api<protocol::OffsetDeleteRequest, protocol::OffsetDeleteResponse>(
      router, services, protocol::kOffsetDeleteApi, &run);
}

}  // namespace sluice::broker::handlers
