// Request dispatch by API key.
#include "broker/handlers/router.h"

#include "common/log.h"

namespace sluice::broker::handlers {

void Router::add(const protocol::ApiDescriptor& api, int16_t min_version, int16_t max_version,
                 HandlerFn fn) {
  auto key = static_cast<int16_t>(api.key);
  routes_[key] = Route{&api, AdvertisedApi{key, min_version, max_version}, std::move(fn)};
}

std::vector<AdvertisedApi> Router::advertised() const {
  std::vector<AdvertisedApi> out;
  out.reserve(routes_.size());
  for (const auto& [key, route] : routes_) out.push_back(route.advertised);
  return out;
}

boost::asio::awaitable<Reply> Router::handle(const RequestContext& ctx, protocol::ByteWriter& out) {
  auto it = routes_.find(ctx.header.api_key);
  if (it == routes_.end()) {
    // Kafka closes the connection on an API key it does not know: there is no layout in
    // which an error could be written back.
    SLUICE_LOG(warning) << "connection " << ctx.connection_id << " from " << ctx.peer
                        << " corr=" << ctx.header.correlation_id << ": unknown API key "
                        << ctx.header.api_key << ", closing";
    co_return Reply::close;
  }
  const Route& route = it->second;
  // ApiVersions answers every version (newer ones in the v0 layout, as Kafka does).
  if (!route.api->supports(ctx.header.api_version) &&
      route.api->key != protocol::ApiKey::api_versions) {
    SLUICE_LOG(warning) << "connection " << ctx.connection_id << " from " << ctx.peer
                        << " corr=" << ctx.header.correlation_id << ": " << route.api->name << " v"
                        << ctx.header.api_version << " is not supported (codec knows v"
                        << route.api->min_version << "-" << route.api->max_version
                        << ", advertised in ApiVersions), closing";
    co_return Reply::close;
  }
  co_return co_await route.fn(ctx, out);
}

}  // namespace sluice::broker::handlers
