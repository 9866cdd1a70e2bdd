// Produce (key 0): validates and appends each partition's batches on its leader log (the
// partition must be led here), then answers by acks: 0 → no response at all, 1 → after the
// leader's append, -1 (all) → once every ISR member has the records (the high watermark
// passes them) or the request timeout ends, and only while the ISR has at least
// min.insync.replicas members. Versions below 3 (message formats v0/v1) get
// UNSUPPORTED_VERSION for every partition.
#include "protocol/messages/produce.h"

#include <boost/asio/this_coro.hpp>
#include <chrono>

#include "broker/config/broker_config.h"
#include "broker/handlers/handler_util.h"
#include "broker/replication/replica_manager.h"
#include "common/log.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

namespace asio = boost::asio;
using protocol::KafkaErrc;

constexpr int16_t code(KafkaErrc e) { return static_cast<int16_t>(e); }

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

}  // namespace

void add_produce(Router& router, Services& services) {
  router.add(
      protocol::kProduceApi, 0, protocol::kProduceApi.max_version,
      [&services](const RequestContext& ctx, protocol::ByteWriter& out) -> asio::awaitable<Reply> {
        const int16_t version = ctx.header.api_version;
        protocol::ProduceRequest request;
        protocol::ByteReader reader(ctx.body);
        if (auto st = protocol::decode(request, reader, version); !st) {
          log_bad_request(ctx, st.error());
          co_return Reply::kClose;
        }
        protocol::ProduceResponse response;
        int16_t request_error = 0;
        if (version < 3)
          request_error = code(KafkaErrc::unsupported_version);
        else if (request.acks != 0 && request.acks != 1 && request.acks != -1)
          request_error = code(KafkaErrc::invalid_required_acks);
        else if (request.transactional_id)
          request_error = code(KafkaErrc::transactional_id_authorization_failed);

        struct Pending {
          std::size_t topic;
          std::size_t partition;
          int64_t last_offset;
          int32_t leader_epoch;
        };
        std::vector<Pending> waiting;  // acks=all partitions not yet replicated
        auto snap = services.metadata->current();
        for (auto& topic : request.topic_data) {
          protocol::ProduceTopicResponse tr;
          tr.name = topic.name;
          const auto* info = snap->topic(topic.name);
          int64_t max_message = services.config->message_max_bytes;
          if (info != nullptr) {
            if (auto it = info->config.find("max.message.bytes"); it != info->config.end()) {
              max_message = std::strtoll(it->second.c_str(), nullptr, 10);
            }
          }
          for (auto& part : topic.partition_data) {
            protocol::ProducePartitionResponse pr;
            pr.index = part.index;
            if (request_error != 0) {
              pr.error_code = request_error;
              tr.partition_responses.push_back(std::move(pr));
              continue;
            }
            auto bytes = part.records.bytes();
            int64_t largest = largest_batch(bytes);
            if (part.records.is_null() || bytes.empty() || largest < 0) {
              pr.error_code = code(KafkaErrc::corrupt_message);
              pr.error_message = "records are missing or not a sequence of record batches";
            } else if (largest > max_message) {
              pr.error_code = code(KafkaErrc::message_too_large);
              pr.error_message = "batch of " + std::to_string(largest) +
                                 " bytes exceeds max.message.bytes " + std::to_string(max_message);
            } else {
              // The frame buffer belongs to this request alone until the handler returns, so the
              // log may rewrite base offsets in place instead of copying the records.
              std::span<uint8_t> mutable_records(const_cast<uint8_t*>(bytes.data()), bytes.size());
              auto r =
                  services.replicas->append(topic.name, part.index, mutable_records, request.acks);
              pr.error_code = protocol::to_wire(r.error);
              if (!r.error_message.empty()) pr.error_message = r.error_message;
              pr.base_offset = r.base_offset;
              pr.log_append_time_ms = r.log_append_time;
              pr.log_start_offset = r.log_start_offset;
              if (r.error == KafkaErrc::none && request.acks == -1) {
                waiting.push_back({response.responses.size(), tr.partition_responses.size(),
                                   r.last_offset, r.leader_epoch});
              }
            }
            tr.partition_responses.push_back(std::move(pr));
          }
          response.responses.push_back(std::move(tr));
        }

        if (request.acks == 0 && request_error == 0) co_return Reply::kNoReply;

        if (!waiting.empty()) {
          // acks=all: wait for the ISR (the high watermark) without polling.
          std::vector<replication::PartitionKey> keys;
          for (const auto& w : waiting) {
            keys.push_back({response.responses[w.topic].name,
                            response.responses[w.topic].partition_responses[w.partition].index});
          }
          auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(std::max(0, request.timeout_ms));
          while (!waiting.empty()) {
            auto waiter =
                services.replicas->notifier().subscribe(keys, co_await asio::this_coro::executor);
            std::erase_if(waiting, [&](const Pending& w) {
              auto& pr = response.responses[w.topic].partition_responses[w.partition];
              auto state = services.replicas->replicated(response.responses[w.topic].name, pr.index,
                                                         w.last_offset, w.leader_epoch);
              if (state == replication::Replication::leadership_lost) {
                // The new leader may truncate this record away: never acknowledge it.
                pr.error_code = code(KafkaErrc::not_leader_or_follower);
                pr.error_message = "leadership moved before the ISR had the records";
                pr.base_offset = -1;
              } else if (state == replication::Replication::too_few_replicas) {
                pr.error_code = code(KafkaErrc::not_enough_replicas_after_append);
                pr.error_message =
                    "written, but the ISR shrank below min.insync.replicas before it was "
                    "replicated";
                pr.base_offset = -1;
              }
              return state != replication::Replication::pending;
            });
            if (waiting.empty() || std::chrono::steady_clock::now() >= deadline) break;
            co_await waiter->wait(deadline);
          }
          for (const auto& w : waiting) {
            auto& pr = response.responses[w.topic].partition_responses[w.partition];
            pr.error_code = code(KafkaErrc::request_timed_out);
            pr.error_message = "not replicated to the ISR within the request timeout";
          }
        }
        protocol::encode(response, out, version);
        co_return Reply::kSend;
      });
}

}  // namespace sluice::broker::handlers
