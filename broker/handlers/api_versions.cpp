// ApiVersions (key 18): the versions this broker supports. A client asking with a newer
// version than ours gets UNSUPPORTED_VERSION with our ranges in the v0 layout (its response
// header is always v0), so that it can retry with a version both sides know, as Kafka does.
#include "protocol/messages/api_versions.h"

#include "broker/handlers/router.h"
#include "common/log.h"

namespace sluice::broker::handlers {

namespace {
constexpr int16_t kUnsupportedVersion = 35;  // UNSUPPORTED_VERSION
constexpr int16_t kInvalidRequest = 42;      // INVALID_REQUEST

bool valid_software_field(const std::string& s) {
  // Kafka: [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
  if (s.empty()) return false;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '.') return false;
  return true;
}
}  // namespace

void add_api_versions(Router& router) {
  router.add(
      protocol::kApiVersionsApi, 0, protocol::kApiVersionsApi.max_version,
      [&router](const RequestContext& ctx,
                protocol::ByteWriter& out) -> boost::asio::awaitable<Reply> {
        protocol::ApiVersionsResponse response;
        for (const auto& api : router.advertised()) {
          response.api_keys.push_back({.api_key = api.api_key,
                                       .min_version = api.min_version,
                                       .max_version = api.max_version});
        }
        int16_t version = ctx.header.api_version;
        if (!protocol::kApiVersionsApi.supports(version)) {
          response.error_code = kUnsupportedVersion;
          protocol::encode(response, out, 0);
          co_return Reply::kSend;
        }
        protocol::ApiVersionsRequest request;
        protocol::ByteReader reader(ctx.body);
        auto status = protocol::decode(request, reader, version);
        if (!status.ok()) {
          SLUICE_LOG(warning) << "connection " << ctx.connection_id
                              << " corr=" << ctx.header.correlation_id
                              << ": bad ApiVersions request: " << status.error().to_string();
          response.error_code = kInvalidRequest;
        } else if (version >= 3 && (!valid_software_field(request.client_software_name) ||
                                    !valid_software_field(request.client_software_version))) {
          response.error_code = kInvalidRequest;
        }
        protocol::encode(response, out, version);
        co_return Reply::kSend;
      });
}

}  // namespace sluice::broker::handlers
