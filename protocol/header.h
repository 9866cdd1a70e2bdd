// Request and response headers. Request header v1 = api key, api version, correlation id,
// nullable client id (always a classic string); v2 adds a tag section. Response header v0
// = correlation id; v1 adds a tag section. Flexible API versions use request v2 / response
// v1, except that ApiVersions responses always use header v0 so that a client can read the
// answer of a broker that does not support the version it asked for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/api_keys.h"
#include "protocol/message.h"

namespace sluice::protocol {

struct RequestHeader {
  int16_t api_key = 0;  // raw: the broker must answer keys it does not know
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  std::vector<RawTaggedField> unknown_tags;
  // Header version this request was read with (1 or 2).
  int16_t header_version = 1;
};

// 1 or 2 for a known API and version; 1 for keys/versions the codec does not know (their
// body is never parsed, so a tag section left unread does no harm).
int16_t request_header_version(int16_t api_key, int16_t api_version);
// 0 or 1.
int16_t response_header_version(int16_t api_key, int16_t api_version);

Result<RequestHeader> decode_request_header(ByteReader& in);
void encode_request_header(const RequestHeader& header, ByteWriter& out);

void encode_response_header(int32_t correlation_id, int16_t api_key, int16_t api_version,
                            ByteWriter& out);
// Returns the correlation id.
Result<int32_t> decode_response_header(ByteReader& in, int16_t api_key, int16_t api_version);

}  // namespace sluice::protocol
