// ListOffsets (key 2): earliest (-2), latest (-1: the high watermark for consumers), max
// timestamp (-3), or the first offset whose record timestamp is at or after a timestamp.
// v0 answers with a list of "old style" offsets.
#include "protocol/messages/list_offsets.h"

#include "broker/handlers/adapter.h"
#include "broker/replication/replica_manager.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

using protocol::KafkaErrc;

boost::asio::awaitable<protocol::ListOffsetsResponse> handle_list_offsets(
    Services& services, protocol::ListOffsetsRequest request, const RequestContext& ctx) {
  const int16_t version = ctx.header.api_version;
  protocol::ListOffsetsResponse response;
  for (const auto& topic : request.topics) {
    protocol::ListOffsetsTopicResponse tr;
    tr.name = topic.name;
    for (const auto& part : topic.partitions) {
      protocol::ListOffsetsPartitionResponse pr;
      pr.partition_index = part.partition_index;
      if (part.timestamp == protocol::kMaxTimestamp && version < 7) {
        pr.error_code = protocol::to_wire(KafkaErrc::unsupported_version);
      } else {
        auto r = services.replicas->list_offset(topic.name, part.partition_index, part.timestamp,
                                                part.current_leader_epoch, request.replica_id);
        pr.error_code = protocol::to_wire(r.error);
        pr.offset = r.offset;
        pr.timestamp = r.timestamp;
        pr.leader_epoch = r.leader_epoch;
        if (r.error == KafkaErrc::none && r.offset >= 0) pr.old_style_offsets = {r.offset};
      }
      tr.partitions.push_back(std::move(pr));
    }
    response.topics.push_back(std::move(tr));
  }
  co_return response;
}

}  // namespace

void add_list_offsets(Router& router, Services& services) {
  add_api(router, services, protocol::kListOffsetsApi, &handle_list_offsets);
}

}  // namespace sluice::broker::handlers
