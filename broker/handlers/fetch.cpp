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

#include "broker/handlers/adapter.h"
#include "broker/replication/replica_manager.h"
#include "common/log.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

namespace asio = boost::asio;
using protocol::KafkaErrc;

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

// Versions below 4: every partition gets UNSUPPORTED_VERSION.
protocol::FetchResponse refuse_old_version(const protocol::FetchRequest& request) {
  protocol::FetchResponse response;
  for (const auto& topic : request.topics) {
    protocol::FetchableTopicResponse tr;
    tr.topic = topic.topic;
    for (const auto& part : topic.partitions) {
      protocol::FetchPartitionData pd;
      pd.partition_index = part.partition;
      pd.error_code = protocol::to_wire(KafkaErrc::unsupported_version);
      pd.high_watermark = -1;
      pd.records = protocol::Records::owned({});
      tr.partitions.push_back(std::move(pd));
    }
    response.responses.push_back(std::move(tr));
  }
  return response;
}

// A partition failed or diverged: the client must hear about it at once, not after a wait.
bool has_error(const protocol::FetchResponse& response) {
  for (const auto& t : response.responses)
    for (const auto& p : t.partitions)
      if (protocol::from_wire(p.error_code) != KafkaErrc::none || p.diverging_epoch) return true;
  return false;
}

// Long polling: re-reads on every append or high-watermark move on the request's partitions
// until min_bytes are there, an error shows, or the deadline passes.
asio::awaitable<void> wait_for_min_bytes(Services& services, const protocol::FetchRequest& request,
                                         int16_t version,
                                         std::chrono::steady_clock::time_point deadline,
                                         int64_t bytes, protocol::FetchResponse& response) {
  std::vector<TopicPartition> keys;
  for (const auto& t : request.topics)
    for (const auto& p : t.partitions) keys.push_back({t.topic, p.partition});
  auto executor = co_await asio::this_coro::executor;
  while (bytes < request.min_bytes && std::chrono::steady_clock::now() < deadline) {
    // Subscribe before re-reading, so an append in between still wakes us.
    auto waiter = services.replicas->notifier().subscribe(keys, executor);
    bytes = read_all(services, request, version, response);
    if (bytes >= request.min_bytes || has_error(response)) break;
    if (!co_await waiter->wait(deadline)) {
      read_all(services, request, version, response);
      break;
    }
  }
}

asio::awaitable<protocol::FetchResponse> handle_fetch(Services& services,
                                                      protocol::FetchRequest request,
                                                      const RequestContext& ctx) {
  const int16_t version = ctx.header.api_version;
  if (version < 4) co_return refuse_old_version(request);
  protocol::FetchResponse response;
  if (request.session_id != 0) {
    // We never hand out sessions, so a client naming one is confused: make it start over.
    response.error_code = protocol::to_wire(KafkaErrc::fetch_session_id_not_found);
    co_return response;
  }
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(std::max(0, request.max_wait_ms));
  int64_t bytes = read_all(services, request, version, response);
  if (bytes < request.min_bytes && request.max_wait_ms > 0 && !has_error(response)) {
    co_await wait_for_min_bytes(services, request, version, deadline, bytes, response);
  }
  co_return response;
}

}  // namespace

void add_fetch(Router& router, Services& services) {
  add_api(router, services, protocol::kFetchApi, &handle_fetch);
}

}  // namespace sluice::broker::handlers
