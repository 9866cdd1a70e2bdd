// ApiVersions (key 18): the versions this broker supports. A client asking with a newer
// version than ours gets UNSUPPORTED_VERSION with our ranges in the v0 layout (its response
// header is always v0), so that it can retry with a version both sides know, as Kafka does.
#include "protocol/messages/api_versions.h"

#include <utility>

#include "broker/handlers/adapter.h"
#include "common/log.h"
#include "protocol/error_codes.h"

namespace sluice::broker::handlers {

namespace {

using protocol::KafkaErrc;

bool valid_software_field(const std::string& s) {
  // Kafka: [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
  if (s.empty()) return false;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '.') return false;
  return true;
}

// Every API the router serves, with the versions it advertises; no error.
protocol::ApiVersionsResponse listing(const Router& router) {
  protocol::ApiVersionsResponse response;
  for (const auto& api : router.advertised()) {
    response.api_keys.push_back(
        {.api_key = api.api_key, .min_version = api.min_version, .max_version = api.max_version});
  }
  return response;
}

boost::asio::awaitable<protocol::ApiVersionsResponse> handle_api_versions(
    const Router& router, protocol::ApiVersionsRequest request, const RequestContext& ctx) {
  protocol::ApiVersionsResponse response = listing(router);
  if (ctx.header.api_version >= 3 && (!valid_software_field(request.client_software_name) ||
                                      !valid_software_field(request.client_software_version))) {
    response.error_code = protocol::to_wire(KafkaErrc::invalid_request);
  }
  co_return response;
}

// A version newer than ours: UNSUPPORTED_VERSION with our ranges (the adapter sends it in the
// v0 layout).
protocol::ApiVersionsResponse answer_unknown_version(const Router& router,
                                                     const RequestContext& /*ctx*/) {
  protocol::ApiVersionsResponse response = listing(router);
  response.error_code = protocol::to_wire(KafkaErrc::unsupported_version);
  return response;
}

// A body that does not decode: INVALID_REQUEST with our ranges, instead of closing.
protocol::ApiVersionsResponse answer_malformed(const Router& router, const RequestContext& ctx,
                                               const Error& error) {
  SLUICE_LOG(warning) << "connection " << ctx.connection_id << " corr=" << ctx.header.correlation_id
                      << ": bad ApiVersions request: " << error.to_string();
  protocol::ApiVersionsResponse response = listing(router);
  response.error_code = protocol::to_wire(KafkaErrc::invalid_request);
  return response;
}

}  // namespace

void add_api_versions(Router& router) {
  add_api(router, std::as_const(router), protocol::kApiVersionsApi, &handle_api_versions,
          Fallbacks<const Router, protocol::ApiVersionsResponse>{
              .unknown_version = &answer_unknown_version, .malformed = &answer_malformed});
}

}  // namespace sluice::broker::handlers
