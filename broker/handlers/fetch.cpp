// Fetch (key 1): reads whole record batches from the partitions led here and sends them
// straight from the segment files with sendfile(2). Long polling: when fewer than min_bytes
// are available, the request waits (without polling) until an append or a high-watermark
// move on one of its partitions, or max_wait_ms. Limits: partition_max_bytes per partition
// and max_bytes per response, each letting the first batch through whole (as Kafka does, so
// a large batch never blocks a consumer). Fetch sessions (KIP-227) are not kept: every
// request is a full fetch and the answer carries session id 0, which clients accept.
// Versions below 4 (message formats v0/v1) get UNSUPPORTED_VERSION.
#include "protocol/messages/fetch.h"

#include <boost/asio/this_coro.hpp>
#include <chrono>

#include "broker/handlers/handler_util.h"
#include "broker/replication/replica_manager.h"
#include "common/log.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

namespace asio = boost::asio;
using protocol::KafkaErrc;

constexpr int16_t code(KafkaErrc e) { return static_cast<int16_t>(e); }

// One pass over every requested partition; returns the bytes of records gathered.
int64_t read_all(Services& services, const protocol::FetchRequest& request, int16_t version,
                 protocol::FetchResponse& response) {
  response.responses.clear();
  int64_t total = 0;
  const int64_t response_limit = request.max_bytes > 0 ? request.max_bytes : INT32_MAX;
  for (const auto& topic : request.topics) {
    protocol::FetchableTopicResponse tr;
    tr.topic = topic.topic;
    for (const auto& part : topic.partitions) {
      protocol::FetchPartitionData pd;
      pd.partition_index = part.partition;
      // Whole batches; the first non-empty partition of the response may exceed the limits.
      const bool first = total == 0;
      const int64_t left = std::max<int64_t>(0, response_limit - total);
      const int32_t budget =
          static_cast<int32_t>(std::min<int64_t>(part.partition_max_bytes, left));
      auto r = services.replicas->read(topic.topic, part.partition, part.fetch_offset, budget,
                                       part.current_leader_epoch, request.replica_id, first,
                                       version >= 12 ? part.last_fetched_epoch : -1);
      pd.error_code = protocol::to_wire(r.error);
      pd.high_watermark = r.high_watermark;
      pd.last_stable_offset = r.high_watermark;
      pd.log_start_offset = r.log_start_offset;
      pd.aborted_transactions = std::vector<protocol::FetchAbortedTransaction>{};
      if (r.error == KafkaErrc::not_leader_or_follower ||
          r.error == KafkaErrc::fenced_leader_epoch) {
        if (version >= 12 && r.leader_id >= 0) {
          pd.current_leader = protocol::FetchLeaderIdAndEpoch{};
          pd.current_leader->leader_id = r.leader_id;
          pd.current_leader->leader_epoch = r.leader_epoch;
        }
      }
      if (r.diverging_epoch) {
        pd.diverging_epoch = protocol::FetchEpochEndOffset{};
        pd.diverging_epoch->epoch = r.diverging_epoch->epoch;
        pd.diverging_epoch->end_offset = r.diverging_epoch->end_offset;
      }
      if (r.records.length > 0) {
        total += r.records.length;
        pd.records = protocol::Records::file(std::move(r.records));
      } else {
        pd.records = protocol::Records::owned({});
      }
      tr.partitions.push_back(std::move(pd));
    }
    response.responses.push_back(std::move(tr));
  }
  return total;
}

}  // namespace

void add_fetch(Router& router, Services& services) {
  router.add(
      protocol::kFetchApi, 0, protocol::kFetchApi.max_version,
      [&services](const RequestContext& ctx, protocol::ByteWriter& out) -> asio::awaitable<Reply> {
        const int16_t version = ctx.header.api_version;
        protocol::FetchRequest request;
        protocol::ByteReader reader(ctx.body);
        if (auto st = protocol::decode(request, reader, version); !st) {
          log_bad_request(ctx, st.error());
          co_return Reply::kClose;
        }
        protocol::FetchResponse response;
        if (version < 4) {
          for (const auto& topic : request.topics) {
            protocol::FetchableTopicResponse tr;
            tr.topic = topic.topic;
            for (const auto& part : topic.partitions) {
              protocol::FetchPartitionData pd;
              pd.partition_index = part.partition;
              pd.error_code = code(KafkaErrc::unsupported_version);
              pd.high_watermark = -1;
              pd.records = protocol::Records::owned({});
              tr.partitions.push_back(std::move(pd));
            }
            response.responses.push_back(std::move(tr));
          }
          protocol::encode(response, out, version);
          co_return Reply::kSend;
        }
        if (request.session_id != 0) {
          // We never hand out sessions, so a client naming one is confused: make it start over.
          response.error_code = code(KafkaErrc::fetch_session_id_not_found);
          protocol::encode(response, out, version);
          co_return Reply::kSend;
        }

        auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(std::max(0, request.max_wait_ms));
        int64_t bytes = read_all(services, request, version, response);
        auto has_error = [&] {
          for (const auto& t : response.responses)
            for (const auto& p : t.partitions)
              if (p.error_code != 0 || p.diverging_epoch) return true;
          return false;
        };
        if (bytes < request.min_bytes && request.max_wait_ms > 0 && !has_error()) {
          std::vector<replication::PartitionKey> keys;
          for (const auto& t : request.topics)
            for (const auto& p : t.partitions) keys.push_back({t.topic, p.partition});
          auto executor = co_await asio::this_coro::executor;
          while (bytes < request.min_bytes && std::chrono::steady_clock::now() < deadline) {
            // Subscribe before re-reading, so an append in between still wakes us.
            auto waiter = services.replicas->notifier().subscribe(keys, executor);
            bytes = read_all(services, request, version, response);
            if (bytes >= request.min_bytes || has_error()) break;
            if (!co_await waiter->wait(deadline)) {
              bytes = read_all(services, request, version, response);
              break;
            }
          }
        }
        protocol::encode(response, out, version);
        co_return Reply::kSend;
      });
}

}  // namespace sluice::broker::handlers
