// FindCoordinator (key 10): which broker coordinates a group. The group's coordinator slot
// and its owner come from the group coordinator's copy of /coordinators; the owner's endpoint
// is the one on the listener the request came in on. v0-3 ask for one key, v4 for several.
#include "protocol/messages/find_coordinator.h"

#include "broker/cluster/metadata.h"
#include "broker/handlers/group_handlers.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {
namespace {

namespace asio = boost::asio;
using protocol::KafkaErrc;

struct Answer {
  KafkaErrc error = KafkaErrc::none;
  int32_t node_id = -1;
  std::string host;
  int32_t port = -1;
};

Answer answer(const groups::GroupCoordinator::Located& located, const cluster::Snapshot& snap,
              const std::string& listener) {
  Answer a;
  a.error = located.error;
  if (a.error != KafkaErrc::none) return a;
  auto it = snap.brokers.find(located.broker_id);
  if (it != snap.brokers.end()) {
    for (const auto& ep : it->second.endpoints) {
      if (ep.listener != listener) continue;
      a.node_id = located.broker_id;
      a.host = ep.host;
      a.port = ep.port;
      return a;
    }
  }
  // The owner is not (yet, or no longer) registered: clients retry.
  a.error = KafkaErrc::coordinator_not_available;
  return a;
}

std::optional<std::string> message(KafkaErrc error) {
  if (error == KafkaErrc::none) return std::nullopt;
  return std::string(protocol::kafka_error_name(protocol::to_wire(error)));
}

// Runs on the connection's strand; asks the group coordinator on the control executor.
asio::awaitable<protocol::FindCoordinatorResponse> handle_find_coordinator(
    Services& services, protocol::FindCoordinatorRequest request, const RequestContext& ctx) {
  const int16_t version = ctx.header.api_version;
  std::vector<std::string> keys;
  if (version >= 4)
    keys = request.coordinator_keys;
  else
    keys.push_back(request.key);
  auto located = co_await asio::co_spawn(services.control,
                                         services.groups->find_coordinators(keys, request.key_type),
                                         asio::use_awaitable);
  auto snap = services.metadata->current();
  protocol::FindCoordinatorResponse response;
  for (std::size_t i = 0; i < keys.size() && i < located.size(); ++i) {
    Answer a = answer(located[i], *snap, ctx.listener);
    if (version >= 4) {
      protocol::FindCoordinatorCoordinator c;
      c.key = keys[i];
      c.node_id = a.node_id;
      c.host = a.host;
      c.port = a.port;
      c.error_code = protocol::to_wire(a.error);
      c.error_message = message(a.error);
      response.coordinators.push_back(std::move(c));
    } else {
      response.error_code = protocol::to_wire(a.error);
      response.error_message = message(a.error);
      response.node_id = a.node_id;
      response.host = a.host;
      response.port = a.port;
    }
  }
  co_return response;
}

}  // namespace

void add_find_coordinator(Router& router, Services& services) {
  add_api(router, services, protocol::kFindCoordinatorApi, &handle_find_coordinator);
}

}  // namespace sluice::broker::handlers
