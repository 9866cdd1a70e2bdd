// OffsetForLeaderEpoch (key 23): where a leader epoch ends on this partition's leader — the
// start offset of the next larger epoch, or the log end for the current one — answered with
// the largest epoch at or below the one asked about (KIP-279). Followers use it to find where
// their log diverges before fetching; consumers (KIP-320) to validate a position after a
// leader change. Stale or future current leader epochs are fenced.
#include "protocol/messages/offset_for_leader_epoch.h"

#include "broker/handlers/handler_util.h"
#include "broker/replication/replica_manager.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {

void add_offset_for_leader_epoch(Router& router, Services& services) {
  router.add(protocol::kOffsetForLeaderEpochApi, 0, protocol::kOffsetForLeaderEpochApi.max_version,
             [&services](const RequestContext& ctx,
                         protocol::ByteWriter& out) -> boost::asio::awaitable<Reply> {
               const int16_t version = ctx.header.api_version;
               protocol::OffsetForLeaderEpochRequest request;
               protocol::ByteReader reader(ctx.body);
               if (auto st = protocol::decode(request, reader, version); !st) {
                 log_bad_request(ctx, st.error());
                 co_return Reply::kClose;
               }
               protocol::OffsetForLeaderEpochResponse response;
               for (const auto& topic : request.topics) {
                 protocol::OffsetForLeaderTopicResult tr;
                 tr.topic = topic.topic;
                 for (const auto& part : topic.partitions) {
                   auto r = services.replicas->offset_for_leader_epoch(
                       topic.topic, part.partition, part.current_leader_epoch, part.leader_epoch);
                   protocol::EpochEndOffsetResult pr;
                   pr.partition = part.partition;
                   const bool ok = r.error == protocol::KafkaErrc::none;
                   pr.error_code = protocol::to_wire(r.error);
                   pr.leader_epoch = ok ? r.leader_epoch : -1;
                   pr.end_offset = ok ? r.offset : -1;
                   tr.partitions.push_back(pr);
                 }
                 response.topics.push_back(std::move(tr));
               }
               protocol::encode(response, out, version);
               co_return Reply::kSend;
             });
}

}  // namespace sluice::broker::handlers
