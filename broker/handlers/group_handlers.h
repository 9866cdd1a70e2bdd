// The consumer-group APIs' registration (one file per API in this folder) and what they
// share: each decodes its request, runs the group coordinator's function for it on the control
// executor (where the coordinator lives) and encodes the answer. Internal to broker/handlers.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <utility>

#include "broker/groups/group_coordinator.h"
#include "broker/handlers/handler_util.h"

namespace sluice::broker::handlers {

// Registers FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
// OffsetFetch, DescribeGroups, ListGroups, DeleteGroups and OffsetDelete.
void add_group_apis(Router& router, Services& services);

void add_find_coordinator(Router& router, Services& services);
void add_join_group(Router& router, Services& services);
void add_sync_group(Router& router, Services& services);
void add_heartbeat(Router& router, Services& services);
void add_leave_group(Router& router, Services& services);
void add_offset_commit(Router& router, Services& services);
void add_offset_fetch(Router& router, Services& services);
void add_describe_groups(Router& router, Services& services);
void add_list_groups(Router& router, Services& services);
void add_delete_groups(Router& router, Services& services);
void add_offset_delete(Router& router, Services& services);

// The client's address as Kafka reports it in DescribeGroups: "/127.0.0.1".
std::string client_host(const RequestContext& ctx);

// Registers `api` (all versions the codec knows): decode, `call` on the control executor,
// encode. `call` runs on the network thread only to create the coordinator's awaitable; a
// captureless function, as co_spawn must not get a capturing lambda (docs/coordination.md).
template <class Request, class Response>
void add_group_api(Router& router, Services& services, const protocol::ApiDescriptor& api,
                   boost::asio::awaitable<Response> (*call)(Services&, Request,
                                                            const RequestContext&)) {
  router.add(api, api.min_version, api.max_version,
             [&services, call](const RequestContext& ctx,
                               protocol::ByteWriter& out) -> boost::asio::awaitable<Reply> {
               const int16_t version = ctx.header.api_version;
               Request request;
               protocol::ByteReader reader(ctx.body);
               if (auto st = protocol::decode(request, reader, version); !st) {
                 log_bad_request(ctx, st.error());
                 co_return Reply::kClose;
               }
               Response response = co_await boost::asio::co_spawn(
                   services.control, call(services, std::move(request), ctx),
                   boost::asio::use_awaitable);
               protocol::encode(response, out, version);
               co_return Reply::kSend;
             });
}

}  // namespace sluice::broker::handlers
