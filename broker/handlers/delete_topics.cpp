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
#include "broker/handlers/adapter.h"
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

// v0-5 name topics; v6 names or ids. An id this broker does not know gets UNKNOWN_TOPIC_ID.
std::vector<protocol::DeletableTopicResult> named_topics(
    const protocol::DeleteTopicsRequest& request, int16_t version, const cluster::Snapshot& snap) {
  std::vector<protocol::DeletableTopicResult> results;
  if (version < 6) {
    for (const auto& n : request.topic_names) results.push_back({{}, n, {}, 0, std::nullopt});
    return results;
  }
  for (const auto& t : request.topics) {
    protocol::DeletableTopicResult r;
    r.name = t.name;
    r.topic_id = t.topic_id;
    if (!t.name) {
      for (const auto& entry : snap.topics) {
        if (protocol::Uuid::from_base64(entry.second.topic_id) == std::optional(t.topic_id))
          r.name = entry.first;
      }
      if (!r.name) r.error_code = protocol::to_wire(KafkaErrc::unknown_topic_id);
    }
    results.push_back(std::move(r));
  }
  return results;
}

asio::awaitable<protocol::DeleteTopicsResponse> handle_delete_topics(
    Services& services, protocol::DeleteTopicsRequest request, const RequestContext& ctx) {
  auto snap = services.metadata->current();
  std::vector<protocol::DeletableTopicResult> results =
      named_topics(request, ctx.header.api_version, *snap);
  const auto timeout = std::chrono::milliseconds(std::clamp(request.timeout_ms, 0, 60000));
  for (auto& r : results) {
    if (protocol::from_wire(r.error_code) != KafkaErrc::none || !r.name) continue;
    const std::string name = *r.name;
    auto failure =
        co_await asio::co_spawn(services.control, delete_one(services, name), asio::use_awaitable);
    if (failure) {
      r.error_code = protocol::to_wire(failure->code);
      r.error_message = failure->message;
      continue;
    }
    SLUICE_LOG(info) << "deletion of topic " << name
                     << " requested (corr=" << ctx.header.correlation_id << ")";
    bool gone = co_await wait_for_metadata(services, timeout, [&name](const cluster::Snapshot& s) {
      return s.topic(name) == nullptr;
    });
    if (!gone && request.timeout_ms > 0) {
      r.error_code = protocol::to_wire(KafkaErrc::request_timed_out);
      r.error_message = "Topic deletion did not complete within the timeout; it continues.";
    }
  }
  protocol::DeleteTopicsResponse response;
  response.responses = std::move(results);
  co_return response;
}

}  // namespace

void add_delete_topics(Router& router, Services& services) {
  add_api(router, services, protocol::kDeleteTopicsApi, &handle_delete_topics);
}

}  // namespace sluice::broker::handlers
