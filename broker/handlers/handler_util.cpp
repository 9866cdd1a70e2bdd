// Helpers shared by the handlers.
#include "broker/handlers/handler_util.h"

#include "broker/cluster/metadata.h"
#include "common/log.h"

namespace sluice::broker::handlers {

void log_bad_request(const RequestContext& ctx, const Error& error) {
  SLUICE_LOG(warning) << "connection " << ctx.connection_id << " from " << ctx.peer << " api "
                      << ctx.header.api_key << " v" << ctx.header.api_version
                      << " corr=" << ctx.header.correlation_id
                      << ": malformed request, closing: " << error.to_string();
}

std::vector<ListedBroker> brokers_on_listener(const cluster::Snapshot& snapshot,
                                              const std::string& listener) {
  std::vector<ListedBroker> out;
  for (const auto& [id, reg] : snapshot.brokers) {
    for (const auto& ep : reg.endpoints) {
      if (ep.listener != listener) continue;
      out.push_back({.id = id, .host = ep.host, .port = ep.port, .rack = reg.rack});
      break;
    }
  }
  return out;
}

}  // namespace sluice::broker::handlers
