// Body decoders by API key, for the fuzz targets and their corpus replay.
#pragma once

#include <cstdint>

#include "common/result.h"
#include "protocol/wire.h"

namespace sluice::protocol::fuzz {

// Decodes (and, when that succeeds, re-encodes) the request/response body of `api_key` at
// `version`. Unknown keys and versions are errors, never crashes.
Status decode_request_body(int16_t api_key, int16_t version, ByteReader& in);
Status decode_response_body(int16_t api_key, int16_t version, ByteReader& in);

}  // namespace sluice::protocol::fuzz
