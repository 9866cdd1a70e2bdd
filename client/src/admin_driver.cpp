// The admin operations' common parts: errors, backoff, routing (admin_internal.h).
#include <algorithm>

#include "client/src/admin_internal.h"
#include "protocol/error_codes.h"

namespace sluice::client::admin_ops {

Error kafka_error(int16_t code, const std::optional<std::string>& message,
                  const std::string& what) {
  std::string context = what;
  if (message && !message->empty()) context += ": " + *message;
  return Error(proto::make_error_code(static_cast<KafkaErrc>(code)), std::move(context));
}

bool retriable_code(int16_t code) {
  switch (static_cast<KafkaErrc>(code)) {
    case KafkaErrc::not_controller:
    case KafkaErrc::coordinator_not_available:
    case KafkaErrc::not_coordinator:
    case KafkaErrc::coordinator_load_in_progress:
    case KafkaErrc::leader_not_available:
    case KafkaErrc::not_leader_or_follower:
    case KafkaErrc::broker_not_available:
    case KafkaErrc::fenced_leader_epoch:
    case KafkaErrc::unknown_leader_epoch:
    case KafkaErrc::rebalance_in_progress:
      return true;
    default:
      return false;
  }
}

bool is_coordinator_code(int16_t code) {
  auto e = static_cast<KafkaErrc>(code);
  return e == KafkaErrc::coordinator_not_available || e == KafkaErrc::not_coordinator ||
         e == KafkaErrc::coordinator_load_in_progress;
}

bool retriable_transport(const Error& e) {
  if (e == ClientErrc::closed || e == ClientErrc::unsupported_version ||
      e == ClientErrc::invalid_argument || e == ClientErrc::protocol_error ||
      e == ClientErrc::invalid_config) {
    return false;
  }
  return e == ClientErrc::no_brokers || client::is_retriable(e);
}

std::string uuid_text(const proto::Uuid& id) {
  return id.is_zero() ? std::string() : id.to_base64();
}

awaitable<bool> Attempts::backoff() {
  if (expired()) co_return false;
  Millis pause = std::min(backoff_, remaining());
  co_await detail::sleep_for(pause);
  co_return !expired();
}

awaitable<Result<std::shared_ptr<detail::Connection>>> connect(State s, Target target) {
  switch (target.route) {
    case Route::any:
      co_return co_await s->cluster.any_broker();
    case Route::controller:
      co_return co_await s->cluster.controller();
    case Route::node:
      co_return co_await s->cluster.broker(target.node);
    case Route::coordinator:
      co_return co_await s->cluster.coordinator(target.group, 0);
  }
  co_return Error(make_error_code(ClientErrc::invalid_argument), "bad route");
}

awaitable<void> forget_route(State s, Target target) {
  if (target.route == Route::coordinator) {
    s->cluster.invalidate_coordinator(target.group, 0);
  } else {
    std::vector<std::string> none;
    (void)co_await s->cluster.refresh(none);
  }
}

awaitable<Result<proto::MetadataResponse>> fetch_metadata(
    State s, Attempts& attempts, std::optional<std::vector<std::string>> topics) {
  proto::MetadataRequest req;
  req.allow_auto_topic_creation = false;
  if (topics) {
    req.topics = std::vector<proto::MetadataRequestTopic>{};
    for (const auto& name : *topics) {
      proto::MetadataRequestTopic t;
      t.name = name;
      req.topics->push_back(std::move(t));
    }
  } else {
    req.topics = std::nullopt;
  }
  // v1+: v0 reads an empty list as "all topics".
  Target any{Route::any};
  co_return co_await send<proto::MetadataResponse>(s, attempts, any, proto::kMetadataApi,
                                                   std::move(req), 1);
}

std::vector<std::size_t> all_items(std::size_t n) {
  std::vector<std::size_t> items(n);
  for (std::size_t i = 0; i < n; ++i) items[i] = i;
  return items;
}

}  // namespace sluice::client::admin_ops
