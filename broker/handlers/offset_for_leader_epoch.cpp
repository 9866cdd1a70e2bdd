// OffsetForLeaderEpoch (key 23): where a leader epoch ends on this partition's leader — the
// start offset of the next larger epoch, or the log end for the current one — answered with
// the largest epoch at or below the one asked about (KIP-279). Followers use it to find where
// their log diverges before fetching; consumers (KIP-320) to validate a position after a
// leader change. Stale or future current leader epochs are fenced.
#include "protocol/messages/offset_for_leader_epoch.h"

#include "broker/handlers/adapter.h"
#include "broker/replication/replica_manager.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

boost::asio::awaitable<protocol::OffsetForLeaderEpochResponse> handle_offset_for_leader_epoch(
    Services& services, protocol::OffsetForLeaderEpochRequest request,
    const RequestContext& /*ctx*/) {
  protocol::OffsetForLeaderEpochResponse response;
  for (const auto& topic : request.topics) {
    protocol::OffsetForLeaderTopicResult tr;
    tr.topic = topic.topic;
    for (const auto& part : topic.partitions) {
      auto r = services.replicas->offset_for_leader_epoch(
          topic.topic, part.partition, part.current_leader_epoch, part.leader_epoch);
      const bool ok = r.error == protocol::KafkaErrc::none;
      protocol::EpochEndOffsetResult pr;
      pr.partition = part.partition;
      pr.error_code = protocol::to_wire(r.error);
      pr.leader_epoch = ok ? r.leader_epoch : -1;
      pr.end_offset = ok ? r.offset : -1;
      tr.partitions.push_back(pr);
    }
    response.topics.push_back(std::move(tr));
  }
  co_return response;
}

}  // namespace

void add_offset_for_leader_epoch(Router& router, Services& services) {
  add_api(router, services, protocol::kOffsetForLeaderEpochApi, &handle_offset_for_leader_epoch);
}

}  // namespace sluice::broker::handlers
