// OffsetFetch (key 9): committed offsets from the coordinator's copy of /consumers/<group>/offsets
// (v8: several groups).
#include "protocol/messages/offset_fetch.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::OffsetFetchResponse> handle_offset_fetch(
    Services& services, protocol::OffsetFetchRequest request, const RequestContext& ctx) {
  return services.groups->fetch_offsets(std::move(request), ctx.header.api_version);
}

}  // namespace

void add_offset_fetch(Router& router, Services& services) {
  add_api<RunOn::control>(router, services, protocol::kOffsetFetchApi, &handle_offset_fetch);
}

}  // namespace sluice::broker::handlers
