// DeleteTopics (key 20): marks each topic under /admin/delete_topics; the controller removes
// its znodes and every broker then drops its local logs. Waits (up to the request timeout)
// until the topic is gone from this broker's metadata.
#include "protocol/messages/delete_topics.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "broker/cluster/metadata.h"
#include "broker/cluster/metadata_sync.h"
#include "broker/cluster/topic_admin.h"
#include "broker/config/broker_config.h"
#include "broker/handlers/handler_util.h"
#include "common/log.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

namespace asio = boost::asio;
using protocol::KafkaErrc;

asio::awaitable<std::optional<cluster::TopicError>> delete_one(Services& services,
                                                               std::string name) {
  auto e = co_await cluster::request_topic_deletion(*services.zk, name,
                                                    services.config->delete_topic_enable);
  services.sync->request_refresh();
  co_return e;
}

}  // namespace

void add_delete_topics(Router& router, Services& services) {
  router.add(
      protocol::kDeleteTopicsApi, 0, protocol::kDeleteTopicsApi.max_version,
      [&services](const RequestContext& ctx, protocol::ByteWriter& out) -> asio::awaitable<Reply> {
        const int16_t version = ctx.header.api_version;
        protocol::DeleteTopicsRequest request;
        protocol::ByteReader reader(ctx.body);
        if (auto st = protocol::decode(request, reader, version); !st) {
          log_bad_request(ctx, st.error());
          co_return Reply::kClose;
        }
        // v0-5 name topics; v6 names or ids.
        std::vector<protocol::DeletableTopicResult> results;
        auto snap = services.metadata->current();
        if (version < 6) {
          for (const auto& n : request.topic_names) results.push_back({{}, n, {}, 0, std::nullopt});
        } else {
          for (const auto& t : request.topics) {
            protocol::DeletableTopicResult r;
            r.name = t.name;
            r.topic_id = t.topic_id;
            if (!t.name) {
              for (const auto& entry : snap->topics) {
                if (protocol::Uuid::from_base64(entry.second.topic_id) == std::optional(t.topic_id))
                  r.name = entry.first;
              }
              if (!r.name) r.error_code = static_cast<int16_t>(KafkaErrc::unknown_topic_id);
            }
            results.push_back(std::move(r));
          }
        }
        const auto timeout = std::chrono::milliseconds(std::clamp(request.timeout_ms, 0, 60000));
        for (auto& r : results) {
          if (r.error_code != 0 || !r.name) continue;
          const std::string name = *r.name;
          auto failure = co_await asio::co_spawn(services.control, delete_one(services, name),
                                                 asio::use_awaitable);
          if (failure) {
            r.error_code = failure->code;
            r.error_message = failure->message;
            continue;
          }
          SLUICE_LOG(info) << "deletion of topic " << name
                           << " requested (corr=" << ctx.header.correlation_id << ")";
          bool gone = co_await wait_for_metadata(
              services, timeout,
              [&name](const cluster::Snapshot& s) { return s.topic(name) == nullptr; });
          if (!gone && request.timeout_ms > 0) {
            r.error_code = static_cast<int16_t>(KafkaErrc::request_timed_out);
            r.error_message = "Topic deletion did not complete within the timeout; it continues.";
          }
        }
        protocol::DeleteTopicsResponse response;
        response.responses = std::move(results);
        protocol::encode(response, out, version);
        co_return Reply::kSend;
      });
}

}  // namespace sluice::broker::handlers
