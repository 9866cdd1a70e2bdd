// Produce (key 0): validates and appends each partition's batches on its leader log (the
// partition must be led here), then answers by acks: 0 → no response at all, 1 → after the
// leader's append, -1 (all) → once every ISR member has the records (the high watermark
// passes them) or the request timeout ends, and only while the ISR has at least
// min.insync.replicas members. Versions below 3 (message formats v0/v1) get
// UNSUPPORTED_VERSION for every partition.
//
// handle_produce runs three stages, each its own function below: validate (the request, then
// each partition), append (each partition to its leader log), and, for acks=all, await the ISR.
#include "protocol/messages/produce.h"

#include <boost/asio/this_coro.hpp>
#include <chrono>

#include "broker/cluster/metadata.h"
#include "broker/config/broker_config.h"
#include "broker/handlers/adapter.h"
#include "broker/replication/replica_manager.h"
#include "common/log.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

namespace asio = boost::asio;
using protocol::KafkaErrc;

// ---- Validate

// The error every partition gets when the request as a whole is refused, or none.
KafkaErrc check_request(const protocol::ProduceRequest& request, int16_t version) {
  if (version < 3) return KafkaErrc::unsupported_version;
  if (request.acks != 0 && request.acks != 1 && request.acks != -1)
    return KafkaErrc::invalid_required_acks;
  if (request.transactional_id) return KafkaErrc::transactional_id_authorization_failed;
  return KafkaErrc::none;
}

// Largest batch in `records` (its batch_length + 12), or -1 when the framing is broken.
int64_t largest_batch(std::span<const uint8_t> records) {
  int64_t largest = 0;
  std::size_t pos = 0;
  while (pos < records.size()) {
    if (records.size() - pos < 12) return -1;
    const uint8_t* p = records.data() + pos + 8;
    int64_t len = (int64_t{p[0]} << 24) | (int64_t{p[1]} << 16) | (int64_t{p[2]} << 8) | p[3];
    if (len <= 0 || static_cast<std::size_t>(len) > records.size() - pos - 12) return -1;
    largest = std::max(largest, len + 12);
    pos += static_cast<std::size_t>(len) + 12;
  }
  return largest;
}

// The largest batch a topic takes: its max.message.bytes override, else the broker's.
int64_t max_message_bytes(const config::BrokerConfig& broker, const cluster::TopicInfo* info) {
  int64_t max_message = broker.message_max_bytes;
  if (info != nullptr) {
    if (auto it = info->config.find("max.message.bytes"); it != info->config.end()) {
      max_message = std::strtoll(it->second.c_str(), nullptr, 10);
    }
  }
  return max_message;
}

// The checks on one partition's records before they reach the log: present, a sequence of
// whole record batches, none larger than max.message.bytes. False (with `pr` answered) when
// the partition is refused.
bool check_partition(const protocol::ProducePartitionData& part, int64_t max_message,
                     protocol::ProducePartitionResponse& pr) {
  auto bytes = part.records.bytes();
  int64_t largest = largest_batch(bytes);
  if (part.records.is_null() || bytes.empty() || largest < 0) {
    pr.error_code = protocol::to_wire(KafkaErrc::corrupt_message);
    pr.error_message = "records are missing or not a sequence of record batches";
    return false;
  }
  if (largest > max_message) {
    pr.error_code = protocol::to_wire(KafkaErrc::message_too_large);
    pr.error_message = "batch of " + std::to_string(largest) + " bytes exceeds max.message.bytes " +
                       std::to_string(max_message);
    return false;
  }
  return true;
}

// ---- Append

// An acks=all partition appended but not yet replicated: where its answer is in the
// response, and what the ISR must reach.
struct Pending {
  std::size_t topic;
  std::size_t partition;
  int64_t last_offset;
  int32_t leader_epoch;
};

// Appends one partition's records on its leader log and answers it as the append went.
replication::ProduceOutcome append_partition(Services& services, const std::string& topic,
                                             const protocol::ProducePartitionData& part,
                                             int16_t acks, protocol::ProducePartitionResponse& pr) {
  // The frame buffer belongs to this request alone until the handler returns, so the log may
  // rewrite base offsets in place instead of copying the records.
  auto bytes = part.records.bytes();
  std::span<uint8_t> mutable_records(const_cast<uint8_t*>(bytes.data()), bytes.size());
  auto r = services.replicas->append(topic, part.index, mutable_records, acks);
  pr.error_code = protocol::to_wire(r.error);
  if (!r.error_message.empty()) pr.error_message = r.error_message;
  pr.base_offset = r.base_offset;
  pr.log_append_time_ms = r.log_append_time;
  pr.log_start_offset = r.log_start_offset;
  return r;
}

// Validates and appends every partition of the request, answering each in `response` (all
// with `request_error` when the request is refused). Returns the acks=all partitions that
// still wait for the ISR.
std::vector<Pending> append_all(Services& services, const protocol::ProduceRequest& request,
                                KafkaErrc request_error, protocol::ProduceResponse& response) {
  std::vector<Pending> waiting;
  auto snap = services.metadata->current();
  for (const auto& topic : request.topic_data) {
    protocol::ProduceTopicResponse tr;
    tr.name = topic.name;
    const int64_t max_message = max_message_bytes(*services.config, snap->topic(topic.name));
    for (const auto& part : topic.partition_data) {
      protocol::ProducePartitionResponse pr;
      pr.index = part.index;
      if (request_error != KafkaErrc::none) {
        pr.error_code = protocol::to_wire(request_error);
      } else if (check_partition(part, max_message, pr)) {
        auto r = append_partition(services, topic.name, part, request.acks, pr);
        if (r.error == KafkaErrc::none && request.acks == -1) {
          waiting.push_back({response.responses.size(), tr.partition_responses.size(),
                             r.last_offset, r.leader_epoch});
        }
      }
      tr.partition_responses.push_back(std::move(pr));
    }
    response.responses.push_back(std::move(tr));
  }
  return waiting;
}

// ---- Await the ISR (acks=all)

// Whether the wait for `w` is over; when it ended in failure (leadership moved, or the ISR
// shrank below min.insync.replicas), its answer says so.
bool replication_decided(Services& services, const Pending& w,
                         protocol::ProduceResponse& response) {
  auto& topic = response.responses[w.topic];
  auto& pr = topic.partition_responses[w.partition];
  auto state = services.replicas->replicated(topic.name, pr.index, w.last_offset, w.leader_epoch);
  if (state == replication::Replication::leadership_lost) {
    // The new leader may truncate this record away: never acknowledge it.
    pr.error_code = protocol::to_wire(KafkaErrc::not_leader_or_follower);
    pr.error_message = "leadership moved before the ISR had the records";
    pr.base_offset = -1;
  } else if (state == replication::Replication::too_few_replicas) {
    pr.error_code = protocol::to_wire(KafkaErrc::not_enough_replicas_after_append);
    pr.error_message =
        "written, but the ISR shrank below min.insync.replicas before it was replicated";
    pr.base_offset = -1;
  }
  return state != replication::Replication::pending;
}

// Waits (without polling: woken by high-watermark moves) until every partition in `waiting`
// is replicated to the ISR or failed, or `timeout_ms` passes; those still waiting then get
// REQUEST_TIMED_OUT.
asio::awaitable<void> await_isr(Services& services, std::vector<Pending>& waiting,
                                int32_t timeout_ms, protocol::ProduceResponse& response) {
  std::vector<TopicPartition> keys;
  for (const auto& w : waiting) {
    keys.push_back({response.responses[w.topic].name,
                    response.responses[w.topic].partition_responses[w.partition].index});
  }
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(0, timeout_ms));
  while (!waiting.empty()) {
    auto waiter = services.replicas->notifier().subscribe(keys, co_await asio::this_coro::executor);
    std::erase_if(waiting,
                  [&](const Pending& w) { return replication_decided(services, w, response); });
    if (waiting.empty() || std::chrono::steady_clock::now() >= deadline) break;
    co_await waiter->wait(deadline);
  }
  for (const auto& w : waiting) {
    auto& pr = response.responses[w.topic].partition_responses[w.partition];
    pr.error_code = protocol::to_wire(KafkaErrc::request_timed_out);
    pr.error_message = "not replicated to the ISR within the request timeout";
  }
}

// nullopt: acks=0, answered with nothing (unless the request itself was refused).
asio::awaitable<std::optional<protocol::ProduceResponse>> handle_produce(
    Services& services, protocol::ProduceRequest request, const RequestContext& ctx) {
  const KafkaErrc request_error = check_request(request, ctx.header.api_version);
  protocol::ProduceResponse response;
  std::vector<Pending> waiting = append_all(services, request, request_error, response);
  if (request.acks == 0 && request_error == KafkaErrc::none) co_return std::nullopt;
  if (!waiting.empty()) co_await await_isr(services, waiting, request.timeout_ms, response);
  co_return std::move(response);
}

}  // namespace

void add_produce(Router& router, Services& services) {
  add_api(router, services, protocol::kProduceApi, &handle_produce);
}

}  // namespace sluice::broker::handlers
