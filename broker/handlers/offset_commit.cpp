// OffsetCommit (key 8): checked against the member and generation (or a simple commit, generation
// -1, for an empty group), then written to ZooKeeper in one multi.
#include "protocol/messages/offset_commit.h"

#include "broker/handlers/group_handlers.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::OffsetCommitResponse> handle_offset_commit(
    Services& services, protocol::OffsetCommitRequest request, const RequestContext& ctx) {
  return services.groups->commit_offsets(std::move(request), ctx.header.api_version);
}

}  // namespace

void add_offset_commit(Router& router, Services& services) {
  add_api<RunOn::control>(router, services, protocol::kOffsetCommitApi, &handle_offset_commit);
}

}  // namespace sluice::broker::handlers
