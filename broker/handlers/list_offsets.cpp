// ListOffsets (key 2): earliest (-2), latest (-1: the high watermark for consumers), max
// timestamp (-3), or the first offset whose record timestamp is at or after a timestamp.
// v0 answers with a list of "old style" offsets.
#include "protocol/messages/list_offsets.h"

#include "broker/handlers/handler_util.h"
#include "broker/replication/replica_manager.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {

void add_list_offsets(Router& router, Services& services) {
  router.add(protocol::kListOffsetsApi, 0, protocol::kListOffsetsApi.max_version,
             [&services](const RequestContext& ctx,
                         protocol::ByteWriter& out) -> boost::asio::awaitable<Reply> {
               const int16_t version = ctx.header.api_version;
               protocol::ListOffsetsRequest request;
               protocol::ByteReader reader(ctx.body);
               if (auto st = protocol::decode(request, reader, version); !st) {
                 log_bad_request(ctx, st.error());
                 co_return Reply::kClose;
               }
               protocol::ListOffsetsResponse response;
               for (const auto& topic : request.topics) {
                 protocol::ListOffsetsTopicResponse tr;
                 tr.name = topic.name;
                 for (const auto& part : topic.partitions) {
                   protocol::ListOffsetsPartitionResponse pr;
                   pr.partition_index = part.partition_index;
                   if (part.timestamp == protocol::kMaxTimestamp && version < 7) {
                     pr.error_code = static_cast<int16_t>(protocol::KafkaErrc::unsupported_version);
                   } else {
                     auto r = services.replicas->list_offset(
                         topic.name, part.partition_index, part.timestamp,
                         part.current_leader_epoch, request.replica_id);
                     pr.error_code = protocol::to_wire(r.error);
                     pr.offset = r.offset;
                     pr.timestamp = r.timestamp;
                     pr.leader_epoch = r.leader_epoch;
                     if (r.error == protocol::KafkaErrc::none && r.offset >= 0)
                       pr.old_style_offsets = {r.offset};
                   }
                   tr.partitions.push_back(std::move(pr));
                 }
                 response.topics.push_back(std::move(tr));
               }
               protocol::encode(response, out, version);
               co_return Reply::kSend;
             });
}

}  // namespace sluice::broker::handlers
