// OffsetDelete (key 47): removes committed offsets of partitions the group does not consume.
#include "protocol/messages/offset_delete.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::OffsetDeleteResponse> handle_offset_delete(
    Services& services, protocol::OffsetDeleteRequest request, const RequestContext& /*ctx*/) {
  return services.groups->delete_offsets(std::move(request));
}

}  // namespace

void add_offset_delete(Router& router, Services& services) {
  add_api<RunOn::control>(router, services, protocol::kOffsetDeleteApi, &handle_offset_delete);
}

}  // namespace sluice::broker::handlers
