// Dispatches each request to the handler of its API (one file per API in this folder) and
// knows which versions the broker advertises in ApiVersions.
//
// Concurrency: routes are registered before the server starts and never change after;
// handle() is called concurrently from many connections.
#pragma once

#include <functional>
#include <map>
#include <vector>

#include "broker/server/request_handler.h"
#include "protocol/api_keys.h"

namespace sluice::broker::handlers {

using server::Reply;
using server::RequestContext;

// A handler decodes ctx.body at ctx.header.api_version (any version the codec knows, which
// may be outside the advertised range: then it answers UNSUPPORTED_VERSION in that
// version's layout) and appends the response body to `out`.
using HandlerFn = std::function<boost::asio::awaitable<Reply>(const RequestContext& ctx,
                                                              protocol::ByteWriter& out)>;

struct AdvertisedApi {
  int16_t api_key;
  int16_t min_version;
  int16_t max_version;
};

class Router final : public server::RequestHandler {
 public:
  // Registers the handler of `api`, advertising [min_version, max_version] (within the
  // codec's range).
  void add(const protocol::ApiDescriptor& api, int16_t min_version, int16_t max_version,
           HandlerFn fn);

  // The ApiVersions list, ordered by key.
  std::vector<AdvertisedApi> advertised() const;

  boost::asio::awaitable<Reply> handle(const RequestContext& ctx,
                                       protocol::ByteWriter& out) override;

 private:
  struct Route {
    const protocol::ApiDescriptor* api;
    AdvertisedApi advertised;
    HandlerFn fn;
  };
  std::map<int16_t, Route> routes_;
};

// Registers ApiVersions on `router` (it answers from router.advertised()).
void add_api_versions(Router& router);

}  // namespace sluice::broker::handlers
